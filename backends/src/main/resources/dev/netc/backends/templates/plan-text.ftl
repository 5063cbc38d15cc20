<#-- netc plan (text): one line per change in the order apply makes them, then the notes (what could not be read), then the summary. -->
<#list lines as l>
${l}
</#list>
<#if lines?has_content>

</#if>
<#list notes as n>
Note: ${n}
</#list>
${summary}

<#-- netc diff (text): one line per object that drifted, then the notes (what could not be read), then the summary. -->
<#list lines as l>
${l}
</#list>
<#if lines?has_content>

</#if>
<#list notes as n>
Note: ${n}
</#list>
${summary}

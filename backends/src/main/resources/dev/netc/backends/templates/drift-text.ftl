<#-- netc diff (text): one line per object that drifted, then the summary. -->
<#list lines as l>
${l}
</#list>
<#if lines?has_content>

</#if>
${summary}

<#-- netc verify (text): one paragraph per cell where model and kernel differ, the notes, then the summary. -->
<#list differences as d>
${d.from} -> ${d.to} on ${d.port}: model ${d.model}, kernel ${d.kernel} (${d.detail})
  model: ${d.why}
</#list>
<#if differences?has_content>

</#if>
<#list notes as n>
note: ${n}

</#list>
${summary}

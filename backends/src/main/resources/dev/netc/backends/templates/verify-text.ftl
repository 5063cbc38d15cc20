<#-- netc verify (text): one paragraph per cell where model and kernel differ (in one address family, when they agree on the cell as a whole: "in IPv6"), the notes, then the summary. -->
<#list differences as d>
${d.from} -> ${d.to} on ${d.port}<#if d.family?has_content> in ${d.family}</#if>: model ${d.model}, kernel ${d.kernel} (${d.detail})
  model: ${d.why}
</#list>
<#if differences?has_content>

</#if>
<#list notes as n>
note: ${n}

</#list>
${summary}

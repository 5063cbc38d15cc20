<#-- netc explain: the verdict, then each step of the decision with the source line it cites. -->
<#list items as v>
${v.from} -> ${v.to} on ${v.port}: ${v.verdict}
<#list v.steps as s>
  - ${s.text}
<#if s.source??>
      ${s.source}
</#if>
</#list>
<#sep>

</#sep>
</#list>

<#-- netc review: the reachability delta per file; Java computed and sorted every row. -->
<#list files as f>
${f.file} (${f.status}since ${base}):<#if !f.changed> no change in reachability</#if>
<#list f.opened as x>
  + ${x.from} -> ${x.to} on ${x.ports}<#if x.pairs != 1> (${x.pairs} pairs)</#if>: ${x.reason}
<#if x.location?has_content>
      ${x.location}: ${x.source}
</#if>
</#list>
<#list f.closed as x>
  - ${x.from} -> ${x.to} on ${x.ports}<#if x.pairs != 1> (${x.pairs} pairs)</#if>: ${x.reason}
<#if x.location?has_content>
      ${x.location}: ${x.source}
</#if>
</#list>
<#list f.added as e>
  + endpoint ${e}
</#list>
<#list f.removed as e>
  - endpoint ${e}
</#list>
<#list f.addresses as a>
  ~ ${a.endpoint}: ${a.before} -> ${a.after}
</#list>
</#list>
netc review: ${opened} flow<#if opened != 1>s</#if> opened, ${closed} closed, ${added} endpoint<#if added != 1>s</#if> added, ${removed} removed, ${moved} address change<#if moved != 1>s</#if>

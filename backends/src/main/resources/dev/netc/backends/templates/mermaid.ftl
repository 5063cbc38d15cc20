<#-- A Mermaid flowchart (GitHub renders it in a ```mermaid block): labels escaped and ids chosen by GraphExport. -->
<#macro node n ind>
<#if n.kind == "outside">
${ind}${n.id}(("${n.label}"))
<#elseif n.kind == "network">
${ind}${n.id}(["${n.label}"])
<#else>
${ind}${n.id}["${n.label}"]
</#if>
</#macro>
<#macro cluster c ind>
${ind}subgraph ${c.id}["${c.label}"]
<#list c.nodes as n>
<@node n ind + "  "/>
</#list>
<#list c.clusters as s>
<@cluster s ind + "  "/>
</#list>
${ind}end
</#macro>
flowchart LR
  %% topology ${title}, drawn by `netc emit --backend mermaid`
<#list nodes as n>
<@node n "  "/>
</#list>
<#list clusters as c>
<@cluster c "  "/>
</#list>
<#list edges as e>
<#if !e.flow>
  ${e.from} --- ${e.to}
<#else>
  ${e.from} <#if e.both><</#if><#if e.partial>-.-><#else>--></#if>|"${e.label}"| ${e.to}
</#if>
</#list>
<#if faint?has_content>
  linkStyle ${faint?join(",")} stroke:#999999,stroke-dasharray:2 2
</#if>

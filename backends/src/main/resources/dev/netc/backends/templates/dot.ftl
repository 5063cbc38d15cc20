<#-- Graphviz DOT: labels escaped and ids chosen by GraphExport. -->
<#macro node n ind>
<#if n.kind == "outside">
${ind}"${n.id}" [label="${n.label}", shape=doublecircle, style=filled, fillcolor="#eeeeee"];
<#elseif n.kind == "network">
${ind}"${n.id}" [label="${n.label}", shape=ellipse, style=dashed];
<#else>
${ind}"${n.id}" [label="${n.label}", shape=box, style=rounded];
</#if>
</#macro>
<#macro cluster c ind>
${ind}subgraph "cluster_${c.id}" {
${ind}  label="${c.label}";
<#list c.nodes as n>
<@node n ind + "  "/>
</#list>
<#list c.clusters as s>
<@cluster s ind + "  "/>
</#list>
${ind}}
</#macro>
digraph "${title}" {
  graph [rankdir=LR, fontname="Helvetica", fontsize=11, label="topology ${title}", labelloc=t, style=rounded];
  node [fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=9];
<#list nodes as n>
<@node n "  "/>
</#list>
<#list clusters as c>
<@cluster c "  "/>
</#list>
<#list edges as e>
<#if !e.flow>
  "${e.from}" -> "${e.to}" [dir=none, style=dotted, color="#999999"];
<#else>
  "${e.from}" -> "${e.to}" [label="${e.label}"<#if e.partial>, style=dashed</#if><#if e.both>, dir=both</#if>];
</#if>
</#list>
}

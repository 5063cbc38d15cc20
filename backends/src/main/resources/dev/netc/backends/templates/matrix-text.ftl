<#-- One grid a port: rows are sources, columns destinations; the port says the family with --family ("443/tcp in IPv6"). -->
<#list grids as g>
${g.port}: ${g.allowed} of ${g.total} admitted (✓ admitted, ✗ not)
${g.corner}  ${g.header}
<#list g.rows as r>
${r.name}  ${r.marks}
</#list>
<#sep>

</#sep>
</#list>

<#-- netc plan --format markdown: a pull-request comment. Java ordered and escaped everything. -->
### netc plan: ${summary}

| create | update | replace | delete | sandbox | topology |
|---:|---:|---:|---:|---|---|
| ${create} | ${update} | ${replace} | ${delete} | ${sandbox} | ${topology} |
<#list notes as n>

> Note: ${n}
</#list>
<#list sections as s>

<details><summary>${s.title}: ${s.items?size}</summary>

<#list s.items as c>
- `${c.id}`<#if c.detail?has_content> (${c.detail})</#if>
</#list>

</details>
</#list>

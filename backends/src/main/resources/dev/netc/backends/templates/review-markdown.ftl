<#-- netc review --format markdown: a pull-request comment, counts first. Java escaped everything. -->
### netc review: reachability since ${base}

| flows opened | flows closed | endpoints added | endpoints removed | address changes |
|---:|---:|---:|---:|---:|
| ${opened} | ${closed} | ${added} | ${removed} | ${moved} |
<#list files as f>

<details<#if f.changed> open</#if>><summary>${f.file}: ${f.status}<#if f.changed>${f.opened?size} opened, ${f.closed?size} closed<#else>no change in reachability</#if></summary>
<#if f.opened?has_content>

**Opened**

| from | to | ports | pairs | why |
|---|---|---|---:|---|
<#list f.opened as x>
| ${x.from} | ${x.to} | ${x.ports} | ${x.pairs} | ${x.reason}<#if x.location?has_content><br>${x.location} ${x.source}</#if> |
</#list>
</#if>
<#if f.closed?has_content>

**Closed**

| from | to | ports | pairs | why |
|---|---|---|---:|---|
<#list f.closed as x>
| ${x.from} | ${x.to} | ${x.ports} | ${x.pairs} | ${x.reason}<#if x.location?has_content><br>${x.location} ${x.source}</#if> |
</#list>
</#if>
<#if f.added?has_content || f.removed?has_content>

**Endpoints**

<#list f.added as e>
- added ${e}
</#list>
<#list f.removed as e>
- removed ${e}
</#list>
</#if>
<#if f.addresses?has_content>

**Addresses**

<#list f.addresses as a>
- ${a.endpoint}: ${a.before} → ${a.after}
</#list>
</#if>
<#if f.graph.edges?has_content>

```mermaid
flowchart LR
<#list f.graph.nodes as n>
  ${n.id}["${n.label}"]
</#list>
<#list f.graph.edges as e>
<#if e.opened>
  ${e.from} -- "${e.label}" --> ${e.to}
<#else>
  ${e.from} -. "${e.label}" .-> ${e.to}
</#if>
</#list>
```
</#if>

</details>
</#list>

<#-- netc lint --format markdown: a pull-request comment. Java sorted and escaped everything. -->
### netc lint: ${summary}

| errors | warnings | notes | suppressed | files |
|---:|---:|---:|---:|---:|
| ${errors} | ${warnings} | ${notes} | ${suppressed} | ${files} |
<#if failures?has_content>

<#list failures as f>
- **error** ${f.message}<#if f.hint?has_content><br>help: ${f.hint}</#if>
</#list>
</#if>
<#list sections as f>

<details><summary>${f.file}: ${f.count} finding<#if f.count != 1>s</#if></summary>

<#list f.items as d>
- ${d.where} **${d.severity}** ${d.code}: ${d.message}<#if d.hint?has_content><br>help: ${d.hint}</#if>
</#list>

</details>
</#list>

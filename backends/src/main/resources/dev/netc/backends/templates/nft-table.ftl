<#list header as h>
# ${h}
</#list>
<#list tables as t>
<#if t?index gt 0>

</#if>
table ${t.family} ${t.table} {}
delete table ${t.family} ${t.table}
table ${t.family} ${t.table} {
  comment "${t.comment}"
<#list t.sets as s>

  # ${s.comment}
  ${s.kind} ${s.name} {
    ${s.typeKeyword} ${s.type}
<#if s.interval>
    flags interval
</#if>
<#if s.elements?has_content>
    elements = {
<#list s.elements as e>
      ${e}<#sep>,</#sep>
</#list>
    }
</#if>
  }
</#list>
<#list t.chains as c>

  # ${c.comment}
  chain ${c.name} {
<#if c.hook?has_content>
    ${c.hook}
</#if>
<#list c.rules as rule>
    ${rule}
</#list>
  }
</#list>
}
</#list>

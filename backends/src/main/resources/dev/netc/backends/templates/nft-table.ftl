<#list header as h>
# ${h}
</#list>
table ${family} ${table} {}
delete table ${family} ${table}
table ${family} ${table} {
  comment "${comment}"
<#list sets as s>

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
<#list chains as c>

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

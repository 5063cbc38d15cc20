<#-- .netc source: statements as Java printed them, in blocks; Formatter then indents. -->
<#macro stmts list>
<#list list as s>
<#if s.blankBefore>

</#if>
<#if !s.block>
${s.text}
<#elseif s.inline>
${s.text} { ${s.body[0].text} }
<#else>
${s.text} {
<@stmts s.body/>
}
</#if>
</#list>
</#macro>
<#list header as h>
${h}
</#list>
<#if header?has_content && decls?has_content>

</#if>
<@stmts decls/>

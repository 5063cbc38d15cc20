<#-- GitHub Actions workflow commands; Java escaped every value. -->
<#list items as d>
::${d.command} file=${d.file},line=${d.line},col=${d.col},endLine=${d.endLine},endColumn=${d.endColumn},title=${d.title}::${d.message}
</#list>

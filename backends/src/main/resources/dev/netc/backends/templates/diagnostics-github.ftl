<#-- GitHub Actions workflow commands; Java escaped every value. The failures (files that
     cannot be read) come first, as in the JSON; Java wrote their properties whole. -->
<#list failures as f>
::error ${f.properties}::${f.message}
</#list>
<#list items as d>
::${d.command} file=${d.file},line=${d.line},col=${d.col},endLine=${d.endLine},endColumn=${d.endColumn},title=${d.title}::${d.message}
</#list>

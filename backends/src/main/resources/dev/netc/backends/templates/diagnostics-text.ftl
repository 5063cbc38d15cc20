<#-- The caret form of diagnostics. Java computed every string; this only lays them out. -->
<#list items as d>
${c[d.severity]}${d.severity}[${d.code}]${c.reset}${c.bold}: ${d.message}${c.reset}
${d.gutter}${c.blue}-->${c.reset} ${d.snippet.location}
${d.gutter} ${c.blue}|${c.reset}
${c.blue}${d.snippet.lineNo} |${c.reset} ${d.snippet.source}
${d.gutter} ${c.blue}|${c.reset} ${d.snippet.pad}${c[d.severity]}${d.snippet.marks}${c.reset}
<#list d.related as r>
${d.gutter}${c.blue}:::${c.reset} ${r.location}
${c.blue}${r.lineNo} |${c.reset} ${r.source}
${d.gutter} ${c.blue}|${c.reset} ${r.pad}${c.blue}${r.marks} ${r.label}${c.reset}
</#list>
<#if d.hint??>
${d.gutter} ${c.blue}=${c.reset} ${c.bold}help${c.reset}: ${d.hint}
</#if>

</#list>
<#if clean>${c.bold}netc${c.reset}: ${summary}<#else>${c.bold}netc${c.reset}: ${summary}</#if>

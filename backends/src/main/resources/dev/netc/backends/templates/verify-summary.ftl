<#-- netc verify's summary line (the last line of verify-text.ftl, and all that -q prints). -->
<#macro cells n>${n} <#if n == 1>cell<#else>cells</#if></#macro>
<#assign where>sandbox ${sandbox}, topology ${topology}, ${ports} <#if ports == 1>port<#else>ports</#if>, ${connections} connections in ${seconds} s</#assign>
<#assign skip><#list skipped as s>; not compared: <@cells s.count/> ${s.why}</#list></#assign>
<#if differ == 0>Verified: the kernel admits exactly what the model says in <@cells compared/> (${where})${skip}.<#else>Differ: ${differ} of ${compared} cells (${where})${skip}.</#if>

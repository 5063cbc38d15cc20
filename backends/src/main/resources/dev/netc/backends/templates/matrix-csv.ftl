from,to,port,protocol,allowed
<#list rows as r>
${r?join(",")}
</#list>

# netc lock file of topology ${name}: the subnets<#if ports?has_content>, addresses and host ports<#else> and addresses</#if> netc chose.
# Commit it: netc keeps these choices stable as the topology changes.
# Written by `netc lock`; `--locked` fails when it is out of date.
version: ${version}
<#if subnets?has_content>
subnets:
<#list subnets as s>
  ${s.name}: ${s.values}
</#list>
<#else>
subnets: {}
</#if>
<#if networks?has_content>
addresses:
<#list networks as n>
  ${n.name}:
<#list n.endpoints as e>
    ${e.name}: ${e.values}
</#list>
</#list>
<#else>
addresses: {}
</#if>
<#if services?has_content>
services:
<#list services as s>
  ${s.name}: ${s.values}
</#list>
</#if>
<#if ports?has_content>
ports:
<#list ports as h>
  ${h.name}:
<#list h.endpoints as p>
    ${p.name}:
<#list p.lines as l>
      ${l.name}: ${l.values}
</#list>
</#list>
</#list>
</#if>

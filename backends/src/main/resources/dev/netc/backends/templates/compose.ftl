<#-- A Compose file: every value computed and quoted by ComposeExport. -->
# Compose file of topology ${topology}, written by `netc emit --backend compose`.
# Services run ${imageName}, which only holds the container's network: put your images in.
name: ${name}
<#if services?has_content>
services:
<#list services as s>
  ${s.name}:
    image: ${image}
<#if s.labels?has_content>
    labels:
<#list s.labels as l>
      ${l.key}: ${l.value}
</#list>
</#if>
<#if s.replicas gt 0>
    deploy:
      replicas: ${s.replicas}
</#if>
<#if s.networkMode?has_content>
    network_mode: ${s.networkMode}
</#if>
<#if s.networks?has_content>
    networks:
<#list s.networks as n>
<#if !n.aliases?has_content && !n.ipv4?has_content && !n.ipv6?has_content && !n.mac?has_content>
      ${n.name}: {}
<#else>
      ${n.name}:
<#if n.aliases?has_content>
        aliases: ${n.aliases}
</#if>
<#if n.ipv4?has_content>
        ipv4_address: ${n.ipv4}
</#if>
<#if n.ipv6?has_content>
        ipv6_address: ${n.ipv6}
</#if>
<#if n.mac?has_content>
        mac_address: ${n.mac}
</#if>
</#if>
</#list>
</#if>
<#if s.ports?has_content>
    ports:
<#list s.ports as p>
      - ${p}
</#list>
</#if>
<#if s.expose?has_content>
    expose:
<#list s.expose as e>
      - ${e}
</#list>
</#if>
</#list>
<#else>
services: {}
</#if>
<#if networks?has_content>
networks:
<#list networks as n>
  ${n.name}:
    driver: ${n.driver}
<#if n.attachable>
    attachable: true
</#if>
<#if n.internal>
    internal: true
</#if>
<#if n.ipv6>
    enable_ipv6: true
</#if>
<#if n.options?has_content>
    driver_opts:
<#list n.options as o>
      ${o.key}: ${o.value}
</#list>
</#if>
    ipam:
      config:
<#list n.pools as p>
        - subnet: ${p.subnet}
          gateway: ${p.gateway}
<#if p.ipRange?has_content>
          ip_range: ${p.ipRange}
</#if>
<#if p.aux?has_content>
          aux_addresses:
<#list p.aux as a>
            ${a.key}: ${a.value}
</#list>
</#if>
</#list>
</#list>
</#if>

#!/bin/sh
# netc emit --backend ip: topology `${topology}`, host `${host}`, in ${where}.
#
# Creates the host's part of the topology from nothing, in an order that creates before use:
# the endpoints' namespaces, then (in the host namespace) the bridges and veths, each veth
# made from its host end with the container end created straight in the endpoint's namespace,
# then each endpoint's loopback, addresses and routes (after the sysctl that turns IPv6 off on
# an interface of an IPv4-only network, while it is still down); then sysctls and the name
# resolution files. Every link carries its owner in its alias (netc:TOPOLOGY:...). Each
# `ip -batch` is one process; `-n NS` before it holds for all of its lines. Run as root.
<#if table>
# The nftables table (isolation, policies, NAT) is `netc emit --backend nft`: run it after this.
</#if>
<#if keys>
# The IPsec keys are not in this script: each `{{key:...}}` stands for a key that `netc apply`
# derives from a secret of its own (docs/drivers.md); replace them before running it by hand.
</#if>
<#list notes as n>
# Note: ${n}
</#list>
set -eu
<#list batches as b>

# ${b.title}
<#list b.before as c>
${c.command}  # ${c.why}
</#list>
${b.tool} ${b.options}-batch - <<'${eof}'
<#list b.lines as l>
<#if l.comment?has_content>
# ${l.comment}
</#if>
${l.command}
</#list>
${eof}
</#list>
<#if sysctls?has_content>

# sysctls of the host namespace
<#list sysctls as s>
${s.command}  # ${s.why}
</#list>
</#if>
<#if dirs?has_content>

# name resolution: `ip netns exec NS CMD` mounts /etc/netns/NS/* over /etc for CMD
<#list dirs as d>
mkdir -p ${d.dir}
<#list d.files as f>
cat > ${f.path} <<'${eof}'
${f.content}${eof}
</#list>
</#list>
</#if>

#!/bin/sh
# netc emit --backend ip: topology `${topology}`, host `${host}`, in ${where}.
#
# Creates the host's part of the topology from nothing, in an order that creates before use:
# the endpoints' namespaces, then (in the host namespace) the bridges and veths, each veth
# made from its host end with the container end created straight in the endpoint's namespace,
# then the host namespace's sysctls, then each endpoint's loopback, addresses and routes (after
# the sysctls of its interfaces: IPv6 off on an IPv4-only network, no router advertisements
# taken, set while they are down); then the name resolution files. Every link carries its owner
# in its alias (netc:TOPOLOGY:...). Each `ip -batch` is one process; `-n NS` before it holds for
# all of its lines. Run as root.
<#if table>
# The nftables table (isolation, policies, NAT) is `netc emit --backend nft`, which this
# script does not load: load it before running this script, as `netc apply` loads it before the
# endpoints' batches, so that its rules hold from the containers' first packet.
</#if>
<#if keys>
# The IPsec keys are not in this script: each `{{key:...}}` stands for a key that `netc apply`
# derives from a secret of its own (docs/drivers.md); replace them before running it by hand.
</#if>
<#list notes as n>
# Note: ${n}
</#list>
set -eu
<#if needed?has_content || made?has_content>

# before any change: the namespaces this script works in are there, and those it makes are not
</#if>
<#list needed as ns>
if [ ! -e /run/netns/${ns} ]; then
  echo "netc script: network namespace ${ns} is not there<#if sandbox?has_content> (the sandbox's own: ip netns add ${ns} makes a bare one, netc apply --sandbox ${sandbox} the whole sandbox with its uplink)</#if>; nothing changed" >&2
  exit 1
fi
</#list>
<#if made?has_content>
for ns in <#list made as ns>${ns}<#sep> </#sep></#list>; do
  if [ -e "/run/netns/$ns" ]; then
    echo "netc script: network namespace $ns is there already: this script makes it (netc apply changes what is there); nothing changed" >&2
    exit 1
  fi
done
</#if>
<#list batches as b>
<#if b?index == sysctlsAt && sysctls?has_content>

# sysctls of the host namespace, before any container's link comes up
<#list sysctls as s>
${s.command}  # ${s.why}
</#list>
</#if>

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
<#if sysctlsAt < 0 && sysctls?has_content>

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

<#-- Kubernetes manifests: every value computed and quoted by K8sExport. -->
<#macro selector name s ind first=ind>
<#if s.empty>
${first}${name}: {}
<#else>
${first}${name}:
<#if s.matchLabels?has_content>
${ind}  matchLabels:
<#list s.matchLabels as l>
${ind}    ${l.key}: ${l.value}
</#list>
</#if>
<#if s.matchExpressions?has_content>
${ind}  matchExpressions:
<#list s.matchExpressions as e>
${ind}    - key: ${e.key}
${ind}      operator: ${e.operator}
<#if e.values?has_content>
${ind}      values: ${e.values}
</#if>
</#list>
</#if>
</#if>
</#macro>
<#macro labels list ind>
<#if list?has_content>
${ind}labels:
<#list list as l>
${ind}  ${l.key}: ${l.value}
</#list>
</#if>
</#macro>
<#macro meta m>
metadata:
  name: ${m.name}
  namespace: ${m.namespace}
<@labels m.labels "  "/>
</#macro>
<#macro podspec w ind>
<#if w.node?has_content>
${ind}nodeName: ${w.node}
</#if>
<#if w.hostNetwork>
${ind}hostNetwork: true
</#if>
${ind}containers:
<#list w.containers as c>
${ind}  - name: ${c.name}
${ind}    image: ${image}
<#if c.ports?has_content>
${ind}    ports:
<#list c.ports as p>
${ind}      - containerPort: ${p.port}
${ind}        protocol: ${p.protocol}
</#list>
</#if>
</#list>
</#macro>
<#macro rules name list key>
<#if list?has_content>
  ${name}:
<#list list as r>
<#if !r.peers?has_content && !r.ports?has_content>
    - {}
<#else>
<#assign lead = "    - ">
<#if r.peers?has_content>
    - ${key}:
<#list r.peers as p>
<#if p.cidr?has_content>
        - ipBlock:
            cidr: ${p.cidr}
<#if p.except?has_content>
            except: ${p.except}
</#if>
<#elseif p.namespaceSelector??>
<@selector "namespaceSelector" p.namespaceSelector "          " "        - "/>
<#if p.podSelector??>
<@selector "podSelector" p.podSelector "          "/>
</#if>
<#else>
<@selector "podSelector" p.podSelector "          " "        - "/>
</#if>
</#list>
<#assign lead = "      ">
</#if>
<#if r.ports?has_content>
${lead}ports:
<#list r.ports as p>
        - protocol: ${p.protocol}
          port: ${p.port}
<#if p.endPort != 0>
          endPort: ${p.endPort}
</#if>
</#list>
</#if>
</#if>
</#list>
</#if>
</#macro>
# Kubernetes manifests of topology ${topology}, written by `netc emit --backend k8s`.
# Containers run ${imageName}, which only holds the pod's network: put your images in.
<#list namespaces as n>
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${n.name}
<@labels n.labels "  "/>
</#list>
<#list workloads as w>
---
<#if w.kind == "Pod">
apiVersion: v1
kind: Pod
<@meta w.meta/>
spec:
<@podspec w "  "/>
<#else>
apiVersion: apps/v1
kind: Deployment
<@meta w.meta/>
spec:
  replicas: ${w.replicas}
  selector:
    matchLabels:
<#list w.selector as l>
      ${l.key}: ${l.value}
</#list>
  template:
    metadata:
<@labels w.meta.labels "      "/>
    spec:
<@podspec w "      "/>
</#if>
</#list>
<#list services as s>
---
apiVersion: v1
kind: Service
<@meta s.meta/>
spec:
  type: ${s.type}
<#if s.clusterIPs?size == 1 && s.ipFamilies?size == 0>
  clusterIP: ${s.clusterIPs[0]}
<#else>
<#if s.clusterIPs?size gt 0>
<#-- the API server takes clusterIPs only with clusterIP, its first (NETC020 on import) -->
  clusterIP: ${s.clusterIPs[0]}
  clusterIPs: [${s.clusterIPs?join(", ")}]
</#if>
<#if s.ipFamilies?size gt 0>
  ipFamilies: [${s.ipFamilies?join(", ")}]
</#if>
<#if s.ipFamilyPolicy?has_content>
  ipFamilyPolicy: ${s.ipFamilyPolicy}
</#if>
</#if>
  selector:
<#list s.selector as l>
    ${l.key}: ${l.value}
</#list>
  ports:
<#list s.ports as p>
    - name: ${p.name}
      protocol: ${p.protocol}
      port: ${p.port}
      targetPort: ${p.targetPort}
<#if p.nodePort != 0>
      nodePort: ${p.nodePort}
</#if>
</#list>
</#list>
<#list policies as p>
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
<@meta p.meta/>
spec:
<@selector "podSelector" p.podSelector "  "/>
  policyTypes: [${p.policyTypes?join(", ")}]
<@rules "ingress" p.ingress "from"/>
<@rules "egress" p.egress "to"/>
</#list>

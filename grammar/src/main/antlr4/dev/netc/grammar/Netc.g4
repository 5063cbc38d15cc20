/*
 * The .netc language: networks, containers, pods, services and policies.
 *
 * Design notes:
 *  - Statements are line oriented: a newline (or `;`) ends a statement, so
 *    label lists and selectors need no commas and no brackets.
 *  - Values (addresses, prefixes, ports, numbers) are lexed as one generic
 *    WORD and validated by the compiler, which reports a precise diagnostic
 *    ("expected a port in 1-65535, got `70000`") instead of a syntax error.
 *  - The grammar has no recursive rule, so no input can nest deeply enough to
 *    exhaust the parser's stack.
 *  - Keywords are also accepted wherever a name or a value stands, so a
 *    network may be called `internal` and a label value may be `pod`.
 *  - Comments are kept on a hidden channel: `netc fmt` puts them back, and
 *    `# netc:ignore CODE "reason"` comments are suppressions.
 */
grammar Netc;

// ---------------------------------------------------------------- structure

// Top-level items are a flat loop so that error recovery resumes at the next line or
// declaration keyword after a stray token.
file
    : (topItem | sep)* EOF
    ;

sep
    : NL
    | SEMI
    ;

topItem
    : topologyDecl
    | importDecl
    | hostDecl
    | networkDecl
    | containerDecl
    | podDecl
    | serviceDecl
    | policyDecl
    | namespaceDecl
    ;

topologyDecl
    : TOPOLOGY name
    ;

importDecl
    : IMPORT STRING
    ;

// ---------------------------------------------------------------- hosts

hostDecl
    : HOST name (LBRACE sep* (hostStmt (sep+ hostStmt)* sep*)? RBRACE)?
    ;

hostStmt
    : UNDERLAY value            # hostUnderlay
    | LABELS label+             # hostLabels
    ;

// ---------------------------------------------------------------- networks

networkDecl
    : NETWORK name (LBRACE sep* (networkStmt (sep+ networkStmt)* sep*)? RBRACE)?
    ;

networkStmt
    : DRIVER value              # netDriver
    | SUBNET value              # netSubnet
    | GATEWAY value             # netGateway
    | POOL value                # netPool
    | RESERVE value+            # netReserve
    | MTU value                 # netMtu
    | INTERNAL                  # netInternal
    | RESOLVE value             # netResolve
    | VNI value                 # netVni
    | PORT value                # netPort
    | ENCRYPTED                 # netEncrypted
    | PARENT value              # netParent
    | MODE value                # netMode
    ;

// ---------------------------------------------------------------- namespaces

namespaceDecl
    : NAMESPACE name (LBRACE sep* (namespaceStmt (sep+ namespaceStmt)* sep*)? RBRACE)?
    ;

namespaceStmt
    : LABELS label+             # nsLabels
    | containerDecl             # nsContainer
    | podDecl                   # nsPod
    | serviceDecl               # nsService
    | policyDecl                # nsPolicy
    ;

// ---------------------------------------------------------------- containers and pods

containerDecl
    : CONTAINER name (LBRACE sep* (containerStmt (sep+ containerStmt)* sep*)? RBRACE)?
    ;

containerStmt
    : LABELS label+                                   # ctrLabels
    | REPLICAS value                                  # ctrReplicas
    | ON name                                         # ctrOn
    | MODE value                                      # ctrMode
    | ATTACH name (LBRACE sep* (attachStmt (sep+ attachStmt)* sep*)? RBRACE)?   # ctrAttach
    | PUBLISH value (ARROW value)?                    # ctrPublish
    | EXPOSE portSpec (COMMA portSpec)*               # ctrExpose
    ;

attachStmt
    : IP value+                 # attIp
    | ALIAS name+               # attAlias
    | MAC value                 # attMac
    ;

podDecl
    : POD name (LBRACE sep* (podStmt (sep+ podStmt)* sep*)? RBRACE)?
    ;

podStmt
    : containerStmt             # podContainerStmt
    | containerDecl             # podMember
    ;

// ---------------------------------------------------------------- services

serviceDecl
    : SERVICE name (LBRACE sep* (serviceStmt (sep+ serviceStmt)* sep*)? RBRACE)?
    ;

serviceStmt
    : SELECT selector                                         # svcSelect
    | ADDRESS value+                                          # svcAddress
    | PORT value (ARROW value)? (NODE_PORT value)?            # svcPort
    | BACKEND selector WEIGHT value                           # svcBackend
    ;

// ---------------------------------------------------------------- policies

policyDecl
    : POLICY name (LBRACE sep* (policyStmt (sep+ policyStmt)* sep*)? RBRACE)?
    ;

policyStmt
    : SELECT selector                                         # polSelect
    | ISOLATE direction+                                      # polIsolate
    | action=(ALLOW | DENY) direction peers? ports?           # polRule
    ;

direction
    : INGRESS
    | EGRESS
    ;

peers
    : (FROM | TO) peer (COMMA peer)*
    ;

peer
    : ALL                                                     # peerAll
    | NAMESPACE selector (PODS selector)?                     # peerNamespace
    | PODS selector                                           # peerPods
    | CIDR prefix (EXCEPT prefix+)?                           # peerCidr
    | ENDPOINT_REF                                            # peerEndpoint
    | requirement+                                            # peerSelector
    ;

ports
    : (PORT | PORTS) portSpec (COMMA portSpec)*
    ;

portSpec
    : value
    ;

// A prefix after `cidr` / `except`: never a keyword, so `except A B port 53` stops at `port`.
prefix
    : WORD
    | STRING
    ;

// ---------------------------------------------------------------- labels and selectors

// A label key may be a keyword (`service=web`): the `=` after it tells it apart.
label
    : labelKey EQ value
    ;

labelKey
    : word
    | STRING
    ;

selector
    : ALL                       # selectAll
    | requirement+              # selectLabels
    ;

requirement
    : labelKey EQ value                               # reqEquals
    | labelKey NEQ value                              # reqNotEquals
    | key IN LPAREN value (COMMA value)* RPAREN       # reqIn
    | key NOTIN LPAREN value (COMMA value)* RPAREN    # reqNotIn
    | BANG key                                        # reqNotExists
    | key                                             # reqExists
    ;

key
    : WORD
    | STRING
    ;

name
    : word
    | STRING
    ;

value
    : word
    | STRING
    ;

word
    : WORD
    | keyword
    ;

keyword
    : TOPOLOGY | IMPORT | HOST | NETWORK | CONTAINER | POD | SERVICE | POLICY | NAMESPACE
    | UNDERLAY | LABELS | DRIVER | SUBNET | GATEWAY | POOL | RESERVE | MTU | INTERNAL | RESOLVE
    | VNI | PORT | PORTS | ENCRYPTED | PARENT | MODE | REPLICAS | ON | ATTACH | PUBLISH | EXPOSE
    | IP | ALIAS | MAC | SELECT | ADDRESS | NODE_PORT | BACKEND | WEIGHT | ISOLATE | ALLOW | DENY
    | INGRESS | EGRESS | FROM | TO | ALL | CIDR | EXCEPT | PODS | IN | NOTIN
    ;

// ---------------------------------------------------------------- lexer

TOPOLOGY  : 'topology' ;
IMPORT    : 'import' ;
HOST      : 'host' ;
NETWORK   : 'network' ;
CONTAINER : 'container' ;
POD       : 'pod' ;
SERVICE   : 'service' ;
POLICY    : 'policy' ;
NAMESPACE : 'namespace' ;
UNDERLAY  : 'underlay' ;
LABELS    : 'labels' ;
DRIVER    : 'driver' ;
SUBNET    : 'subnet' ;
GATEWAY   : 'gateway' ;
POOL      : 'pool' ;
RESERVE   : 'reserve' ;
MTU       : 'mtu' ;
INTERNAL  : 'internal' ;
RESOLVE   : 'resolve' ;
VNI       : 'vni' ;
PORT      : 'port' ;
PORTS     : 'ports' ;
ENCRYPTED : 'encrypted' ;
PARENT    : 'parent' ;
MODE      : 'mode' ;
REPLICAS  : 'replicas' ;
ON        : 'on' ;
ATTACH    : 'attach' ;
PUBLISH   : 'publish' ;
EXPOSE    : 'expose' ;
IP        : 'ip' ;
ALIAS     : 'alias' ;
MAC       : 'mac' ;
SELECT    : 'select' ;
ADDRESS   : 'address' ;
NODE_PORT : 'node-port' ;
BACKEND   : 'backend' ;
WEIGHT    : 'weight' ;
ISOLATE   : 'isolate' ;
ALLOW     : 'allow' ;
DENY      : 'deny' ;
INGRESS   : 'ingress' ;
EGRESS    : 'egress' ;
FROM      : 'from' ;
TO        : 'to' ;
ALL       : 'all' ;
CIDR      : 'cidr' ;
EXCEPT    : 'except' ;
PODS      : 'pods' ;
IN        : 'in' ;
NOTIN     : 'notin' ;

ARROW  : '->' ;
LBRACE : '{' ;
RBRACE : '}' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA  : ',' ;
SEMI   : ';' ;
NEQ    : '!=' ;
EQ     : '=' ;
BANG   : '!' ;

ENDPOINT_REF : '@' WCHAR+ ('-' WCHAR+)* ;

// A name, number, address, prefix, port or range. A `-` may join parts but
// never ends a word, so `8080->80` lexes as `8080`, `->`, `80`.
WORD : WCHAR+ ('-' WCHAR+)* ;

fragment WCHAR : [a-zA-Z0-9_.:/[\]] ;

STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

// A string that runs to the end of the line: reported by the compiler.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? -> channel(2) ;

COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;

NL : '\r'? '\n' | '\r' ;

WS : [ \t\f\u00A0\uFEFF]+ -> skip ;

// A run of characters that start no token: reported by the compiler,
// invisible to the parser. (A lone `-` or `>` is reported by the lexer.)
INVALID : ~[a-zA-Z0-9_.:/[\]\-@"#{}(),;!= \t\f\r\n\u00A0\uFEFF>]+ -> channel(2) ;

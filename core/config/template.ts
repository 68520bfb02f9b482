/**
 * The ftpi.yaml that `ftpi init` writes. Every value in it is the built-in default, so a fresh
 * file changes nothing until edited (a test holds the two equal).
 */
export const CONFIG_TEMPLATE = `# ftpi.yaml: configuration of the ftpi FTP server.
# Every value below is the built-in default; edit what you need, delete the rest.
# Relative paths are relative to the folder this file is in.
# Check your edits with:  ftpi check --config ftpi.yaml

# Addresses the FTP server listens on, as "host:port" ("[::]:2121" for IPv6).
# 0.0.0.0 means every IPv4 address of this machine.
listen:
  - "0.0.0.0:2121"

# Ports used for passive-mode data connections. Forward these (and the listen port)
# on your router to reach the server from the internet.
passivePorts: "50000-50100"

# The address put in passive-mode replies: your public IP or a (dynamic DNS) host name
# when the server sits behind a router. null = the address the client connected to.
externalAddress: null

# Text greeting clients on connect (may span several lines) and on QUIT.
banner: "Welcome to ftpi."
goodbye: "Goodbye."

# Every upload is written to disk (fsync) before the client hears it is complete, so a power
# cut cannot lose it or half-write a file it replaced. false: faster, as vsftpd and proftpd,
# notably for many small files on an SD card, at that risk.
syncUploads: true

# Durations are in seconds. maxSessionsPerUser: 0 = unlimited.
# Sizes and rates are bytes (per second), or with K, M, G, T (powers of 1024): 512K, 10M, 4G.
limits:
  maxClients: 50          # connections at once, all users together
  maxSessionsPerIp: 8     # connections at once from one address
  maxSessionsPerUser: 8   # default for users without maxSessions of their own
  loginTimeout: 60        # time to log in after connecting
  idleTimeout: 600        # an idle session is closed after this long
  maxLoginFailures: 3     # wrong passwords before the connection is closed
  passiveTimeout: 30      # time a client has to open a passive data connection
  dataTimeout: 300        # a transfer that moves no byte for this long is aborted
  maxUploadRate: 0        # bytes/s for all uploads together; 0 = unlimited
  maxDownloadRate: 0      # bytes/s for all downloads together; 0 = unlimited
  maxHashSize: 4G         # largest file (or range) HASH/XMD5/XCRC/... will read; 0 = no cap
  shutdownGrace: 30       # on SIGTERM/Ctrl-C, running transfers get this long to finish; 0 = cut at once

# Addresses and CIDR ranges (IPv4 or IPv6) allowed to connect; an empty allow list
# means everyone not denied. Example: allow: ["192.168.1.0/24"]
ipFilter:
  allow: []
  deny: []

# Anonymous login (user "anonymous" or "ftp", any password).
# Permissions: read, write, append, delete, rename, list, mkdir, rmdir, or all.
# Paths are folders as the user sees them; subdirs: true applies a rule below it too.
# "anonymous: false" switches anonymous login off.
anonymous:
  enabled: true
  home: ./ftp-root
  permissions:
    - path: /
      allow: [read, list]
      subdirs: true
    - path: /upload
      allow: [read, list, write, append, mkdir]
      subdirs: true
  fxp: false              # allow server-to-server transfers
  maxSessions: 0          # 0 = no cap on the shared anonymous login
  ipFilter:
    allow: []
    deny: []
  requireTls: false       # true: anonymous must log in over TLS too (tls.require leaves it free)
  maxUploadRate: 0        # bytes/s, all anonymous visitors together; 0 = unlimited
  maxDownloadRate: 0
  quota:                  # what uploads may fill the home with; 0 = no limit
    maxBytes: 0           # e.g. 10G
    maxFiles: 0           # files, not counting folders

# Groups give their users defaults: home, permissions, fxp, maxSessions, ipFilter,
# requireTls, maxUploadRate, maxDownloadRate, quota.
# A user's own setting wins over its group's.
#   groups:
#     friends:
#       home: /srv/ftp/friends
#       permissions: read,list
groups: {}

# Named users. Passwords are hashes: run "ftpi passwd" and paste what it prints.
# Without permissions (here or in the group) a user has all rights inside its home.
#   users:
#     - name: alice
#       password: "$scrypt$ln=14,r=8,p=1$..."
#       home: /srv/ftp/alice
#       group: friends          # optional
#       enabled: true
#       permissions:
#         - path: /
#           allow: all
#           subdirs: true
#       fxp: false
#       maxSessions: 0          # 0 = unlimited; default limits.maxSessionsPerUser
#       ipFilter: { allow: [], deny: [] }
#       requireTls: false       # true: this user must log in over TLS
#       maxUploadRate: 0        # bytes/s, all of this user's sessions together (e.g. 2M); 0 = unlimited
#       maxDownloadRate: 0
#       quota: { maxBytes: 0, maxFiles: 0 }   # what the home may hold (e.g. 50G); 0 = no limit
users: []

# Where ftpi and its plugins keep state (statistics, bans, ...).
dataDir: ./ftpi-data

# The status page. Use host 127.0.0.1 to reach it only from this machine; port 0 turns it off.
# Log in as "admin": the password is printed once on the first start (stored hashed in dataDir),
# or set FTPI_ADMIN_PASSWORD, or put a hash from "ftpi passwd" in adminPassword.
web:
  host: "0.0.0.0"
  port: 8080
  # adminPassword: "$scrypt$..."
  # metricsToken: a long random text Prometheus may send as "Authorization: Bearer ..." to /metrics

# FTPS (explicit AUTH TLS, RFC 4217). Without certFile/keyFile a self-signed certificate
# is made on first start and kept in the data folder; configured files are re-read on
# SIGHUP (changed paths too), so a renewed (e.g. certbot) certificate needs no restart.
tls:
  enabled: true
  certFile: null          # e.g. /etc/letsencrypt/live/myhome.example/fullchain.pem
  keyFile: null           # e.g. /etc/letsencrypt/live/myhome.example/privkey.pem
  implicit: []            # implicit FTPS listeners, e.g. ["0.0.0.0:990"]
  require: false          # true: every named user must log in over TLS and use PROT P;
                          # anonymous may still log in in the clear unless anonymous.requireTls
  requireSessionReuse: true   # data connections must resume the control TLS session

log:
  format: text            # text or json
  level: info             # info or debug
  # Also available: cwd, command (every command a client sends); "all" for everything.
  events: [connect, login, upload, download, delete, mkdir, rmdir, rename, disconnect]
  xferlog: null           # a file path to also write transfers in xferlog format

# Plugins: a built-in name, or {name: ..., options: {...}}, or {path: ./my-plugin.ts, options: {...}}.
#   plugins:
#     - autoban
#     - name: ddns
#       options: { ... }
#     - path: ./my-plugin.ts
plugins: []
`;

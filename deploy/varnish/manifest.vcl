vcl 4.1;

# Varnish 7.1 in front of the manifest origin, purged by surrogate key through the xkey vmod
# (Debian: apt-get install varnish varnish-modules). `manifest relay varnish` follows the
# origin's invalidation stream and sends the purges this file accepts:
#
#   PURGE / with `xkey-purge: key1 key2`  removes every object tagged with one of the keys and
#                                         answers 200 with `Purged: <objects removed>`
#   BAN /                                 bans every object (the relay lost its place in the
#                                         stream) and answers 200 with `Banned: all`
#
# Both only from the `purgers` ACL (403 otherwise). Run it with
#
#   varnishd -F -n /tmp/varnish-manifest -a 127.0.0.1:6081 -f $PWD/deploy/varnish/manifest.vcl -s malloc,256m

import std;
import xkey;

# The origin (`manifest serve origin --port 8081`). varnishd cannot combine -b with -f, so the
# backend lives here: edit these two lines (or substitute them, as the tests do) for another
# origin.
backend origin {
    .host = "127.0.0.1";
    .port = "8081";
}

# Who may purge: the relay runs beside Varnish. Add the relay's address if it runs elsewhere.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE" || req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.method == "BAN") {
            # Every object has a status, so this matches all of them; the ban lurker can
            # evaluate it in the background because it reads only obj.*.
            if (std.ban("obj.status != 0")) {
                return (synth(200, "Banned"));
            }
            return (synth(500, std.ban_error()));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge field with the surrogate keys"));
        }
        # A hard purge: xkey.softpurge would leave the old manifest servable for its grace
        # (stale-while-revalidate), which is exactly the copy a publish replaced.
        set req.http.xkey-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }
    # The invalidation stream and the list of its subscribers are long polls and live state.
    if (req.url ~ "^/v1/(events|subscribers)") {
        return (pass);
    }
    # Otherwise the built-in VCL: GET and HEAD are looked up, requests with cookies or
    # Authorization pass.
}

sub vcl_backend_response {
    # xkey indexes the keys of the `xkey` response field; the origin names them Surrogate-Key
    # (`writekey:<write key>`, `workspace:<id>`, `source:<id>`, `destination:<id>`, `bundle`).
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # CDN-Cache-Control (RFC 9213) is the field the origin addresses to caches like this one:
    # 30 minutes for the latest settings, because a publish purges them, while Cache-Control
    # keeps max-age=60 for browsers, which nobody can purge. Varnish itself reads only
    # Cache-Control, so without this it would ask the origin every minute.
    if (beresp.http.CDN-Cache-Control) {
        if (beresp.http.CDN-Cache-Control ~ "(?i)(^|[\s,])(no-store|private)\s*(,|$)") {
            # Hit-for-miss: do not store, and do not make later requests wait on this one.
            set beresp.ttl = 120s;
            set beresp.uncacheable = true;
            return (deliver);
        }
        if (beresp.http.CDN-Cache-Control ~ "(?i)(^|[\s,])max-age\s*=\s*\d+") {
            set beresp.ttl = std.duration(
                regsub(beresp.http.CDN-Cache-Control, "(?i)^(.*[\s,])?max-age\s*=\s*(\d+).*$", "\2s"), beresp.ttl);
        }
        # Grace is Varnish's stale-while-revalidate: the stale copy answers while one
        # background fetch runs. stale-if-error has no equivalent without health probes, so a
        # failing origin is answered with its error once the grace is over.
        if (beresp.http.CDN-Cache-Control ~ "(?i)(^|[\s,])stale-while-revalidate\s*=\s*\d+") {
            set beresp.grace = std.duration(
                regsub(beresp.http.CDN-Cache-Control, "(?i)^(.*[\s,])?stale-while-revalidate\s*=\s*(\d+).*$", "\2s"),
                beresp.grace);
        }
    }
    # Then the built-in VCL: Set-Cookie, Vary: * and Cache-Control no-store/private are not stored.
}

sub vcl_deliver {
    unset resp.http.xkey;
    # Surrogate-Key is for caches, as on the edge: a browser gets none (it names the workspace,
    # source and destinations), a cache that says it is one with Surrogate-Capability does.
    if (!req.http.Surrogate-Capability) {
        unset resp.http.Surrogate-Key;
    }
}

sub vcl_synth {
    if (req.method == "PURGE" || req.method == "BAN") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        if (resp.status == 200 && req.method == "PURGE") {
            set resp.http.Purged = req.http.xkey-purged;
        }
        if (resp.status == 200 && req.method == "BAN") {
            set resp.http.Banned = "all";
        }
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}

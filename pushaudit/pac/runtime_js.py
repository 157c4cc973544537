"""The PAC environment, in JavaScript: the standard PAC functions plus pushaudit's recorders.

DNS answers come from a table set by ``__pa_setup`` (the answers the audited host's resolver gave),
never from a live resolver. The clock is frozen at one instant and ``Math.random`` is a fixed
sequence, so every evaluation of a snapshot gives the same answer. ``__pa_ret`` records which
``return`` ran (see instrument.py); lookups record the PAC line that asked (from the call stack,
where the PAC's frames are the ``<input>`` ones: the worker loads it through an indirect eval).
"""

from __future__ import annotations

RUNTIME = r"""
var __pa = {answers: {}, myIp: "127.0.0.1", now: 0, seed: 1, rets: [], lookups: [], alerts: [],
            RealDate: Date, RealError: Error, stringify: JSON.stringify};
var __PA_KEEP = 200;

function __pa_setup(config) {
  __pa.answers = config.answers; __pa.myIp = config.myIp; __pa.now = config.now;
}
function __pa_show(value) {
  if (value === null) { return {kind: "null", text: null}; }
  var kind = typeof value;
  var text = kind === "string" ? value : String(value);
  return {kind: kind, text: text.length > 300 ? text.substring(0, 300) + "..." : text};
}
function __pa_ret(line, value) {
  if (__pa.rets.length >= __PA_KEEP) { __pa.rets.shift(); }
  var shown = __pa_show(value);
  __pa.rets.push({line: line, kind: shown.kind, text: shown.text});
  return value;
}
function __pa_pac_line() {
  // the innermost frame in the PAC's own code (it runs through eval, so its frames say <input>)
  var found = /<input>:(\d+):\d+/.exec(String(new __pa.RealError("where").stack || ""));
  return found ? parseInt(found[1], 10) : null;
}
function __pa_ipv4(text) {
  var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(String(text));
  return m !== null && +m[1] < 256 && +m[2] < 256 && +m[3] < 256 && +m[4] < 256;
}
function __pa_valid_name(name) {
  return name.length > 0 && name.length <= 253 &&
    /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name);
}
function __pa_lookup(name, fn) {
  var key = String(name).toLowerCase().replace(/\.$/, "");
  if (__pa_ipv4(key) || key.indexOf(":") >= 0) { return [key]; }
  var entry = {name: key, fn: fn, line: __pa_pac_line(), state: "unknown", answer: []};
  var found = [];
  if (!__pa_valid_name(key)) {
    entry.state = "invalid";
  } else if (Object.prototype.hasOwnProperty.call(__pa.answers, key)) {
    var answer = __pa.answers[key];
    entry.state = answer === null ? "failed" : (answer.length ? "resolved" : "no-address");
    found = answer === null ? [] : answer.slice();
  }
  entry.answer = found.slice(0, 4);
  if (__pa.lookups.length < 500) { __pa.lookups.push(entry); }
  return found;
}
function __pa_call(url, host) {
  __pa.rets = []; __pa.lookups = []; __pa.alerts = []; __pa.seed = 1;
  var value = FindProxyForURL(url, host);
  var shown = __pa_show(value);
  return __pa.stringify({kind: shown.kind, value: shown.text, rets: __pa.rets, lookups: __pa.lookups,
                         alerts: __pa.alerts});
}
function __pa_loaded() {
  var out = __pa.stringify({lookups: __pa.lookups, alerts: __pa.alerts, defined: typeof FindProxyForURL});
  __pa.rets = []; __pa.lookups = []; __pa.alerts = [];
  return out;
}

function isPlainHostName(host) { return String(host).indexOf(".") < 0; }
function dnsDomainIs(host, domain) {
  host = String(host); domain = String(domain);
  return host.length >= domain.length && host.substring(host.length - domain.length) === domain;
}
function localHostOrDomainIs(host, hostdom) {
  host = String(host); hostdom = String(hostdom);
  return host === hostdom || hostdom.lastIndexOf(host + ".", 0) === 0;
}
function dnsResolve(host) {
  var found = __pa_lookup(host, "dnsResolve");
  for (var i = 0; i < found.length; i++) { if (__pa_ipv4(found[i])) { return found[i]; } }
  return found.length ? found[0] : null;
}
function dnsResolveEx(host) { return __pa_lookup(host, "dnsResolveEx").join(";"); }
function isResolvable(host) { return __pa_lookup(host, "isResolvable").length > 0; }
function isResolvableEx(host) { return __pa_lookup(host, "isResolvableEx").length > 0; }
function myIpAddress() { return __pa.myIp; }
function myIpAddressEx() { return __pa.myIp; }
function getClientVersion() { return "1.0"; }
function dnsDomainLevels(host) { return String(host).split(".").length - 1; }
function convert_addr(ipchars) {
  var b = String(ipchars).split(".");
  return (((b[0] & 255) << 24) | ((b[1] & 255) << 16) | ((b[2] & 255) << 8) | (b[3] & 255)) >>> 0;
}
function isInNet(ipaddr, pattern, maskstr) {
  var ip = String(ipaddr);
  if (!__pa_ipv4(ip)) {
    var found = __pa_lookup(ip, "isInNet");
    ip = found.length ? found[0] : null;
  }
  if (ip === null || !__pa_ipv4(ip) || !__pa_ipv4(pattern) || !__pa_ipv4(maskstr)) { return false; }
  var mask = convert_addr(maskstr);
  return ((convert_addr(ip) & mask) >>> 0) === ((convert_addr(pattern) & mask) >>> 0);
}
function isInNetEx(ipaddr, prefix) {
  var parts = String(prefix).split("/");
  var bits = parseInt(parts[1], 10);
  if (!__pa_ipv4(ipaddr) || !__pa_ipv4(parts[0]) || !(bits >= 0 && bits <= 32)) { return false; }
  var mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((convert_addr(ipaddr) & mask) >>> 0) === ((convert_addr(parts[0]) & mask) >>> 0);
}
function sortIpAddressList(list) {
  var items = String(list).split(";");
  items.sort(function (a, b) { return convert_addr(a) - convert_addr(b); });
  return items.join(";");
}
function shExpMatch(str, shexp) {
  var pattern = String(shexp).replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  try { return new RegExp("^" + pattern + "$").test(String(str)); } catch (e) { return false; }
}
function alert(message) { if (__pa.alerts.length < 50) { __pa.alerts.push(String(message)); } }

// Time: one fixed instant; "GMT" as the last argument reads it in UTC, otherwise in local time
// (the worker runs with TZ=UTC, so both are UTC unless the caller says otherwise).
var __PA_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
var __PA_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
function __pa_today() { return new __pa.RealDate(__pa.now); }
function __pa_gmt(args) { return args.length > 0 && args[args.length - 1] === "GMT"; }
function __pa_month(value) { return __PA_MONTHS.indexOf(String(value).toUpperCase()); }
function __pa_in_range(now, start, end) {
  return start <= end ? (start <= now && now <= end) : (now >= start || now <= end);
}
function weekdayRange() {
  var args = Array.prototype.slice.call(arguments), gmt = __pa_gmt(args);
  if (gmt) { args.pop(); }
  var d = __pa_today(), today = gmt ? d.getUTCDay() : d.getDay();
  var first = __PA_DAYS.indexOf(String(args[0]).toUpperCase());
  var last = args.length > 1 ? __PA_DAYS.indexOf(String(args[1]).toUpperCase()) : first;
  if (first < 0 || last < 0) { return false; }
  return __pa_in_range(today, first, last);
}
function __pa_key(parts, d, gmt) {
  // parts: which of year/month/day a bound names; the current date keyed the same way
  var now = {y: gmt ? d.getUTCFullYear() : d.getFullYear(), m: gmt ? d.getUTCMonth() : d.getMonth(),
             d: gmt ? d.getUTCDate() : d.getDate()};
  return (parts.y ? now.y * 10000 : 0) + (parts.m ? (now.m + 1) * 100 : 0) + (parts.d ? now.d : 0);
}
function dateRange() {
  var args = Array.prototype.slice.call(arguments), gmt = __pa_gmt(args);
  if (gmt) { args.pop(); }
  if (args.length === 0 || args.length === 5 || args.length > 6) { return false; }
  // one or three values name a single day, month or date; an even count names a range
  var single = args.length % 2 === 1, half = single ? args.length : args.length / 2, bounds = [];
  for (var b = 0; b < (single ? 1 : 2); b++) {
    var bound = {y: 0, m: 0, d: 0, parts: {}};
    for (var i = b * half; i < (b + 1) * half; i++) {
      var value = args[i], month = __pa_month(value), number = parseInt(value, 10);
      if (month >= 0) { bound.m = month + 1; bound.parts.m = true; }
      else if (number > 31) { bound.y = number; bound.parts.y = true; }
      else if (number >= 1) { bound.d = number; bound.parts.d = true; }
      else { return false; }
    }
    bounds.push(bound);
  }
  var start = bounds[0], end = bounds[bounds.length - 1];
  var key = function (x) { return x.y * 10000 + x.m * 100 + x.d; };
  var now = __pa_key(start.parts, __pa_today(), gmt);
  return __pa_in_range(now, key(start), key(end));
}
function timeRange() {
  var args = Array.prototype.slice.call(arguments), gmt = __pa_gmt(args);
  if (gmt) { args.pop(); }
  var d = __pa_today();
  var now = (gmt ? d.getUTCHours() : d.getHours()) * 3600 + (gmt ? d.getUTCMinutes() : d.getMinutes()) * 60 +
            (gmt ? d.getUTCSeconds() : d.getSeconds());
  var n = args.map(function (x) { return parseInt(x, 10); });
  if (n.length === 1) { return Math.floor(now / 3600) === n[0]; }
  if (n.length === 2) { return __pa_in_range(now, n[0] * 3600, n[1] * 3600 - 1); }
  if (n.length === 4) { return __pa_in_range(now, n[0] * 3600 + n[1] * 60, n[2] * 3600 + n[3] * 60 - 1); }
  if (n.length === 6) {
    return __pa_in_range(now, n[0] * 3600 + n[1] * 60 + n[2], n[3] * 3600 + n[4] * 60 + n[5]);
  }
  return false;
}

// A PAC that reads the clock or draws random numbers itself gets the same fixed values.
(function () {
  var Real = __pa.RealDate;
  function PacDate() {
    if (!(this instanceof PacDate)) { return new Real(__pa.now).toString(); }
    if (arguments.length === 0) { return new Real(__pa.now); }
    var args = [null].concat(Array.prototype.slice.call(arguments));
    return new (Function.prototype.bind.apply(Real, args))();
  }
  PacDate.prototype = Real.prototype;
  PacDate.now = function () { return __pa.now; };
  PacDate.UTC = Real.UTC;
  PacDate.parse = Real.parse;
  globalThis.Date = PacDate;
  Math.random = function () {
    __pa.seed = (__pa.seed * 1103515245 + 12345) % 2147483648;
    return __pa.seed / 2147483648;
  };
})();
// the engine's bridge to Python is not part of a PAC's world
delete globalThis.call_python;
"""


def runtime_source() -> str:
    return RUNTIME

/* A first-party device-mode loader: fetches a source's signed settings from the CDN, checks
 * them (Ed25519 signature, expiry, no version lower than one already seen), falls back to the
 * last good copy when the fetch fails, loads each device-mode destination's bundle with its SRI
 * hash, and forwards page/track calls once the destinations are ready, through the manifest's
 * destination filters (middlewareSettings.routingRules) as Segment's routing middleware would.
 *
 *   manifestLoader.load({ cdn, writeKey, keyId, publicKey, integrations }) -> Promise<result>
 *   manifestLoader.identify(userId), manifestLoader.page(properties), manifestLoader.track(event, properties)
 */
(function () {
  'use strict';
  var queue = [];
  var ready = [];
  var rules = [];
  var started = false;
  /* The user identify() named: later page and track events carry it as `userId` (what a
   * sample_event filter with the path userId hashes). */
  var userId;

  function base64Bytes(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function bytesBase64(bytes) {
    var raw = '';
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw);
  }

  function parseSignature(header) {
    var keyId = /keyid="([^"]*)"/.exec(header || '');
    var sig = /sig=:([^:]*):/.exec(header || '');
    return keyId && sig ? { keyId: keyId[1], signature: base64Bytes(sig[1]) } : null;
  }

  /* The page's integrations option: Name: false skips; All: false keeps only truthy names. */
  function wanted(option, names) {
    for (var i = 0; i < names.length; i++) if (option[names[i]] === false) return false;
    if (option.All !== false) return true;
    for (var j = 0; j < names.length; j++) if (option[names[j]]) return true;
    return false;
  }

  /* ---- Destination filters: the IR of ../shared/spec/routing-rules.md (RoutingMiddleware.swift
   * does the same in Swift). ---- */

  function resolve(event, path) {
    var value = event;
    var keys = path.split('.');
    for (var i = 0; i < keys.length; i++) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = value[keys[i]];
    }
    return value;
  }

  /* JSON text with sorted keys: how objects compare, and what a sample path hashes. */
  function canonical(value) {
    if (value === undefined) return 'undefined';
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
    return '{' + Object.keys(value).sort().map(function (key) {
      return JSON.stringify(key) + ':' + canonical(value[key]);
    }).join(',') + '}';
  }

  function equal(a, b) {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return canonical(a) === canonical(b);
    return a === b;
  }

  function glob(pattern) {
    var source = '';
    for (var i = 0; i < pattern.length; i++) {
      var c = pattern[i];
      if (c === '*') source += '[\\s\\S]*';
      else if (c === '?') source += '[\\s\\S]';
      else if (c === '\\' && i + 1 < pattern.length) source += literal(pattern[++i]);
      else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
        var end = pattern.indexOf(']', i + 2);
        var body = pattern.slice(i + 1, end);
        var negated = body[0] === '^' || body[0] === '!';
        if (negated) body = body.slice(1);
        source += '[' + (negated ? '^' : '') + body.replace(/[\\\]\[]/g, '\\$&') + ']';
        i = end;
      } else source += literal(c);
    }
    return new RegExp('^' + source + '$');
  }

  function literal(character) {
    return character.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
  }

  function evaluate(ir, event) {
    if (typeof ir === 'string') return resolve(event, ir);
    if (!Array.isArray(ir)) return ir.value;
    var args = ir.slice(1);
    function arg(i) { return evaluate(args[i], event); }
    switch (ir[0]) {
      case '!': return !arg(0);
      case 'and': return args.every(function (a) { return !!evaluate(a, event); });
      case 'or': return args.some(function (a) { return !!evaluate(a, event); });
      case '=': return equal(arg(0), arg(1));
      case '!=': return !equal(arg(0), arg(1));
      case '<': case '<=': case '>': case '>=':
        var a = arg(0), b = arg(1);
        if (typeof a !== 'number' || typeof b !== 'number') return false;
        return ir[0] === '<' ? a < b : ir[0] === '<=' ? a <= b : ir[0] === '>' ? a > b : a >= b;
      case 'in':
        var value = arg(0), list = arg(1);
        return Array.isArray(list) && list.some(function (item) { return equal(value, item); });
      case 'contains':
        return typeof arg(0) === 'string' && typeof arg(1) === 'string' && arg(0).indexOf(arg(1)) >= 0;
      case 'match':
        return typeof arg(0) === 'string' && typeof arg(1) === 'string' && glob(arg(1)).test(arg(0));
      case 'lowercase': return typeof arg(0) === 'string' ? arg(0).toLowerCase() : null;
      case 'length':
        var measured = arg(0);
        return typeof measured === 'string' || Array.isArray(measured) ? measured.length : 0;
      case 'typeof':
        var typed = arg(0);
        return typed === null || Array.isArray(typed) ? 'object' : typeof typed;
      default: return undefined;
    }
  }

  /* FNV-1a of the value's JSON text, as a fraction: the same user always in or always out. */
  function sampleFraction(value) {
    var bytes = new TextEncoder().encode(canonical(value));
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    return hash / 4294967296;
  }

  function reshape(event, objects, keep) {
    Object.keys(objects || {}).forEach(function (path) {
      var target = path === '' ? event : resolve(event, path);
      if (!target || typeof target !== 'object' || Array.isArray(target)) return;
      Object.keys(target).forEach(function (key) {
        if (keep(objects[path].indexOf(key) >= 0)) delete target[key];
      });
    });
    return event;
  }

  function transform(event, transformer) {
    var config = transformer.config || {};
    switch (transformer.type) {
      case 'drop': return null;
      case 'sample_event':
        var sample = config.sample || {};
        var roll = sample.path ? sampleFraction(resolve(event, sample.path)) : Math.random();
        return roll < (sample.percent === undefined ? 1 : sample.percent) ? event : null;
      case 'drop_properties': return reshape(event, (config.drop || {}), function (named) { return named; });
      case 'allow_properties': return reshape(event, (config.allow || {}), function (named) { return !named; });
      default: return event;
    }
  }

  /* The event as one destination receives it, or null when a filter drops it there. */
  function route(event, destination) {
    var routed = JSON.parse(JSON.stringify(event));
    for (var r = 0; r < rules.length; r++) {
      var rule = rules[r];
      if (rule.destinationName && rule.destinationName !== destination) continue;
      for (var m = 0; m < rule.matchers.length; m++) {
        var matcher = rule.matchers[m];
        if (matcher.type !== 'all' && evaluate(JSON.parse(matcher.ir), routed) !== true) continue;
        var list = rule.transformers[m] || [];
        for (var t = 0; t < list.length; t++) {
          routed = transform(routed, list[t]);
          if (routed === null) return null;
        }
      }
    }
    return routed;
  }

  async function fetchSettings(config) {
    /* Revalidated on every page load (a 304 from the edge is cheap), so that a purge reaches
     * the page at once instead of after the browser's max-age. */
    var response = await fetch(config.cdn + '/v1/projects/' + config.writeKey + '/settings', { cache: 'no-cache' });
    if (!response.ok) throw new Error('settings: HTTP ' + response.status);
    return { body: new Uint8Array(await response.arrayBuffer()), signature: response.headers.get('Manifest-Signature') };
  }

  async function verify(config, copy) {
    var parsed = parseSignature(copy.signature);
    if (!parsed || parsed.keyId !== config.keyId) throw new Error('unknown or missing signature key');
    var key = await crypto.subtle.importKey('raw', base64Bytes(config.publicKey), { name: 'Ed25519' }, false, ['verify']);
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, parsed.signature, copy.body))) {
      throw new Error('bad signature');
    }
    var document = JSON.parse(new TextDecoder().decode(copy.body));
    var delivery = document.delivery || {};
    if (delivery.writeKey !== config.writeKey) throw new Error('manifest for another write key');
    if (Date.parse(delivery.expiresAt) <= Date.now()) throw new Error('expired manifest');
    var highest = Number(localStorage.getItem('manifest-version:' + config.writeKey) || 0);
    if (delivery.version < highest) throw new Error('version ' + delivery.version + ' is lower than ' + highest);
    return document;
  }

  function loadScript(url, integrity) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = url;
      script.integrity = integrity;
      script.crossOrigin = 'anonymous';
      script.async = true;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('bundle failed: ' + url)); };
      document.head.appendChild(script);
    });
  }

  /* The globals a classic bundle defines are keyed by the norm in its path. */
  function startClassic(url, settings) {
    return new Promise(function (resolve) {
      var key = url.split('/next-integrations/integrations/')[1].split('/')[0];
      var Integration = window[key + 'Integration'];
      if (typeof window[key + 'Loader'] === 'function') window[key + 'Loader']();
      var instance = new Integration(settings);
      instance.once('ready', function () { resolve({ call: function (m, e) { instance.invoke(m, { obj: e }); } }); });
      instance.initialize();
    });
  }

  async function startActions(libraryName, settings) {
    var plugins = [].concat(window[libraryName](settings));
    var analytics = {};
    await Promise.all(plugins.map(function (plugin) { return plugin.load({}, analytics); }));
    return { call: function (method, event) {
      plugins.forEach(function (plugin) { if (plugin[method]) plugin[method]({ event: event }); });
    } };
  }

  async function load(config) {
    var result = { version: null, source: 'network', loaded: [], failed: [], refused: null };
    var copy = null;
    var document;
    try {
      try {
        copy = await fetchSettings(config);
      } catch (unreachable) {
        /* The real library gives up here; this loader falls back to the last good copy. */
        var stored = JSON.parse(localStorage.getItem('manifest:' + config.writeKey) || 'null');
        if (!stored) throw unreachable;
        copy = { body: base64Bytes(stored.body), signature: stored.signature };
        result.source = 'stored';
      }
      document = await verify(config, copy);
    } catch (error) {
      result.refused = error.message;
      window.manifestResult = result;
      return result;
    }
    localStorage.setItem('manifest:' + config.writeKey, JSON.stringify({ body: bytesBase64(copy.body), signature: copy.signature }));
    localStorage.setItem('manifest-version:' + config.writeKey, String(document.delivery.version));
    result.version = document.delivery.version;

    rules = (document.middlewareSettings || {}).routingRules || [];
    var option = config.integrations || {};
    var bundles = {};
    (document.delivery.bundles || []).forEach(function (bundle) { bundles[bundle.instance] = bundle; });
    var starts = [];
    Object.keys(document.integrations).forEach(function (name) {
      var entry = document.integrations[name];
      var types = (entry.versionSettings || {}).componentTypes || [];
      if (name.indexOf('Segment') === 0 || entry.bundlingStatus === 'unbundled') return;
      if (entry.type !== 'browser' && types.indexOf('browser') < 0) return;
      if (!wanted(option, [name]) || !bundles[name]) return;
      var settings = Object.assign({}, entry, typeof option[name] === 'object' ? option[name] : {});
      starts.push({ name: name, bundle: bundles[name], start: function () { return startClassic(bundles[name].url, settings); } });
    });
    (document.remotePlugins || []).forEach(function (plugin) {
      if (!wanted(option, [plugin.creationName, plugin.name]) || !bundles[plugin.creationName]) return;
      starts.push({ name: plugin.creationName, bundle: bundles[plugin.creationName],
                    start: function () { return startActions(plugin.libraryName, plugin.settings); } });
    });
    await Promise.all(starts.map(async function (item) {
      try {
        await loadScript(item.bundle.url, item.bundle.integrity);
        var destination = await item.start();
        destination.name = item.name;
        ready.push(destination);
        result.loaded.push(item.name);
      } catch (error) {
        result.failed.push(item.name);
      }
    }));
    result.loaded.sort();
    result.failed.sort();
    started = true;
    queue.splice(0).forEach(function (call) { forward(call[0], call[1]); });
    window.manifestResult = result;
    return result;
  }

  function forward(method, event) {
    if (!started) return queue.push([method, event]);
    ready.forEach(function (destination) {
      var routed = route(event, destination.name);
      if (routed) destination.call(method, routed);
    });
  }

  /* The event with the identified user, as the library stamps userId on every call. */
  function stamped(event) {
    if (userId !== undefined) event.userId = userId;
    return event;
  }

  window.manifestLoader = {
    load: load,
    /* Sets the user for the calls that follow; not forwarded itself (the stubs record page/track). */
    identify: function (id) { userId = id; },
    page: function (properties) { forward('page', stamped({ type: 'page', properties: properties || {} })); },
    track: function (event, properties) {
      forward('track', stamped({ type: 'track', event: event, properties: properties || {} }));
    }
  };
})();

// The inspector page, live: served from our own origin as /assets/inspector.js (the page's CSP
// allows nothing else). New traces arrive over Server-Sent Events from the stream the page names
// in data-stream (/dev/inspector/stream, or /admin/inspector/stream inside the console),
// already rendered and escaped by the server, and go on top of the list; a JWT's expiry counts
// down. Without JavaScript the page still lists the last traces and a reload shows newer ones.
(function () {
  'use strict';
  var list = document.querySelector('[data-traces]');
  var status = document.querySelector('[data-live-status]');
  var streamUrl = list && list.getAttribute('data-stream');
  if (!list || !streamUrl || !window.EventSource) return;
  var keep = 100;
  var say = function (text) { if (status) status.textContent = text; };
  var source = new EventSource(streamUrl);
  source.addEventListener('ready', function () { say('Live: new traces appear at the top as they happen.'); });
  source.addEventListener('error', function () { say('Reconnecting to the live stream…'); });
  source.addEventListener('trace', function (event) {
    var message = JSON.parse(event.data);
    if (list.querySelector('[data-seq="' + String(message.trace.seq) + '"]')) return;
    var empty = list.querySelector('[data-empty]');
    if (empty) empty.remove();
    list.insertAdjacentHTML('afterbegin', message.html);
    while (list.children.length > keep) list.lastElementChild.remove();
    countDown();
  });
  var countDown = function () {
    var now = Date.now() / 1000;
    Array.prototype.forEach.call(document.querySelectorAll('time[data-expires]'), function (time) {
      var left = Math.round(Number(time.getAttribute('data-expires')) - now);
      time.textContent = left > 0 ? 'in ' + String(left) + ' s' : 'expired ' + String(-left) + ' s ago';
    });
  };
  countDown();
  setInterval(countDown, 1000);
})();

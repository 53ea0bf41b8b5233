/* newsletter-progress.js — optional live refresh of a newsletter's
 * progress page (/admin/newsletters/N/progress, issue 6). The page works
 * without it (the 「最新の状況に更新」 link reloads the counts). While mails
 * are still waiting, this re-reads the same page every 5 seconds, replaces
 * the counts and announces the change politely (aria-live="polite") in a
 * visually hidden status line. Stops when nothing waits any more. */
(function () {
  'use strict';
  var box = document.getElementById('nl-progress');
  var live = document.getElementById('nl-live');
  if (!box || !live || !window.fetch || !window.DOMParser) return;
  function summary(root) {
    var cells = root.querySelectorAll('#nl-progress td');
    var t = [];
    root.querySelectorAll('#nl-progress th[scope="row"]').forEach(function (th, i) {
      if (cells[i]) t.push(th.textContent + ' ' + cells[i].textContent);
    });
    return t.join('、');
  }
  function waiting(root) {
    var w = root.querySelector('#nl-progress [data-waiting]');
    return w ? parseInt(w.getAttribute('data-waiting'), 10) : 0;
  }
  var last = summary(document);
  function tick() {
    fetch(location.pathname, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('nl-progress');
        if (!fresh) return;
        box.innerHTML = fresh.innerHTML;
        var s = summary(document);
        if (s !== last) {
          live.textContent = '配信の状況を更新しました：' + s;
          last = s;
        }
        if (waiting(document) > 0) setTimeout(tick, 5000);
      })
      .catch(function () { /* keep the page as it is; the refresh link still works */ });
  }
  if (waiting(document) > 0) setTimeout(tick, 5000);
})();

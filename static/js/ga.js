// ga.js — Google Analytics (gtag.js) configuration without an inline
// script: the measurement ID comes from this script tag's data-ga-id,
// which the layout writes only when staff have set an ID (C9). The page
// works the same without JavaScript; nothing here affects the content.
(function () {
  'use strict';
  var me = document.currentScript;
  var id = me && me.getAttribute('data-ga-id');
  if (!id || !/^G-[A-Z0-9]{4,20}$/.test(id)) return;
  window.dataLayer = window.dataLayer || [];
  function gtag() { window.dataLayer.push(arguments); }
  gtag('js', new Date());
  gtag('config', id);
})();

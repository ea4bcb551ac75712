// The search box's suggestions as the reader types: people, organisations, places and
// topics whose name starts with the words (/suggest.json), offered in the box's datalist.
// Without script the box is a plain form and the results page suggests the same channels.
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  var list = document.getElementById("search-suggestions");
  if (!box || !list || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";
  function fill(query, suggestions) {
    if (query !== box.value.trim()) {
      return; // the reader typed on: an older answer
    }
    list.replaceChildren();
    suggestions.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.name;
      option.label = item.kind;
      list.appendChild(option);
    });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = box.value.trim();
      if (query.length < 2 || query === asked) {
        return;
      }
      asked = query;
      fetch("/suggest.json?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          fill(query, data.suggestions);
        })
        .catch(function () {}); // no suggestions is the plain form
    }, 150);
  });
})();

// "Near me" on /local: the browser's position, rounded to about a kilometre, picks the
// nearest town in the news (/local?near=lat,lon). Without script the form stays hidden and
// a place is picked by name.
(function () {
  "use strict";
  var form = document.getElementById("near-me");
  if (!form || !navigator.geolocation) {
    return;
  }
  var status = form.querySelector("[role=status]");
  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "Finding where you are\u2026";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var lat = position.coords.latitude.toFixed(2);
        var lon = position.coords.longitude.toFixed(2);
        form.elements.near.value = lat + "," + lon;
        form.submit();
      },
      function (error) {
        status.textContent =
          "Your browser did not say where you are (" + error.message + "). Pick a place by name.";
      },
      { timeout: 10000, maximumAge: 600000 }
    );
  });
})();

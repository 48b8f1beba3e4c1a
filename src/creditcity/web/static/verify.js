/* The certificate link carries the certificate after '#' (never sent to a server):
   move it into the form and check it here. Without JavaScript a person pastes it. */
(function () {
  var token = decodeURIComponent(location.hash.slice(1));
  if (token.length > 20) {
    history.replaceState(null, "", location.pathname + location.search);
    document.getElementById("token").value = token;
    document.getElementById("verify-form").submit();
  }
})();

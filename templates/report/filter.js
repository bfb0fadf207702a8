// sipbc report --phones: filter the phone table by text (rows are hidden, never removed).
(function () {
  var input = document.getElementById('phone-filter');
  var count = document.getElementById('phone-filter-count');
  var rows = document.querySelectorAll('#phone-table tbody tr');
  var timer = 0;
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var hit = q === '' || rows[i].textContent.toLowerCase().indexOf(q) !== -1;
      rows[i].hidden = !hit;
      if (hit) shown++;
    }
    count.textContent = q === '' ? '' : shown + ' of ' + rows.length + ' rows';
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
})();

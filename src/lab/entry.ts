// The fusion lab's hook on the demo page: with `?lab` in the address (`?lab=<case id>` preselects
// a case), the lab's module is loaded (its own chunk, so the page without it loads nothing of it)
// and mounted at the top of <main>. Everything else on the page is main.ts's.
if (new URLSearchParams(location.search).has('lab')) {
  void import('./lab').then((lab) => lab.mountLab(document.querySelector('main') ?? document.body));
}

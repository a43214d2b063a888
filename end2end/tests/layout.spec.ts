import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

// axe-core is injected by evaluating its source through the DevTools protocol, which the
// page's CSP does not govern (an added script tag would rightly be refused).
// Playwright runs in end2end/ (npm ci installs axe-core there).
const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");

type Place = { path: string; crumb: RegExp };

/** The main pages of the demo, found from the home page's links (ids are the demo's own). */
async function mainPages(page: Page): Promise<Place[]> {
  const home = await (await page.request.get("/")).text();
  const hrefs = [...home.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
  const acme = hrefs.find((h) => /^\/orgs\/orga_[^/]+\/operators\/keycloak\//.test(h))!.split("/")[2];
  const first = (re: RegExp) => {
    const h = hrefs.find((x) => re.test(x));
    if (!h) throw new Error(`no link like ${re} on the home page`);
    return h;
  };
  const app = first(new RegExp(`^/orgs/${acme}/apps/[^/]+$`));
  const invoices = `/orgs/${acme}/invoices`;
  const invoicesHtml = await (await page.request.get(invoices)).text();
  const invoice = invoicesHtml.match(new RegExp(`href="(/orgs/${acme}/invoices/[^"?]+)"`))![1];
  const deploymentsHtml = await (await page.request.get(`${app}/deployments`)).text();
  const deployment = deploymentsHtml.match(/href="([^"]+\/deployments\/[^"]+)"/)![1];
  const places: Place[] = [
    { path: "/", crumb: /Organisations/ },
    { path: invoices, crumb: /Acme Corp.*Invoices/ },
    { path: invoice, crumb: /Acme Corp.*Invoices.*Invoice/ },
    { path: `/orgs/${acme}/costs`, crumb: /Acme Corp.*Costs/ },
    { path: app, crumb: /Acme Corp.*›.*Overview/ },
    { path: `${app}/deployments`, crumb: /Acme Corp.*Deployments/ },
    { path: deployment, crumb: /Acme Corp.*Deployments.*Deployment/ },
    { path: `${app}/instances`, crumb: /Acme Corp.*Instances/ },
    { path: `${app}/logs`, crumb: /Acme Corp.*Logs/ },
    { path: `${app}/metrics`, crumb: /Acme Corp.*Metrics/ },
    { path: `${app}/access-logs?range=1h`, crumb: /Acme Corp.*Access logs/ },
    { path: `${app}/access-logs`, crumb: /Acme Corp.*Access logs/ },
    { path: `/orgs/${acme}/addons/${first(new RegExp(`^/orgs/${acme}/resources/postgresql_[^/]+/drains$`)).split("/")[4]}/logs`, crumb: /Acme Corp.*Logs/ },
    { path: `${app}/metrics?range=7d`, crumb: /Acme Corp.*Metrics/ },
    { path: `/orgs/${acme}/addons/${first(/\/operators\/keycloak\//).split("/")[5]}/metrics`, crumb: /Acme Corp.*auth.*Metrics/ },
    { path: first(new RegExp(`^/orgs/${acme}/resources/app_[^/]+/drains$`)), crumb: /Acme Corp.*Log drains/ },
    { path: first(new RegExp(`^/orgs/${acme}/resources/postgresql_[^/]+/drains$`)), crumb: /Acme Corp.*Log drains/ },
    { path: first(/\/pulsar\//), crumb: /›.*Storage policies/ },
    { path: "/?attention=1", crumb: /Organisations/ },
    { path: `/orgs/${acme}/activity`, crumb: /Acme Corp.*Activity/ },
    { path: `/orgs/${acme}/members`, crumb: /Acme Corp.*Members/ },
    { path: "/sessions", crumb: /Your sessions/ },
    { path: "/alerts", crumb: /Alerts/ },
    { path: "/zones", crumb: /Zones/ },
    { path: "/zones/par", crumb: /Zones.*par/i },
  ];
  for (const kind of ["keycloak", "matomo", "metabase", "otoroshi"]) {
    places.push({ path: first(new RegExp(`/operators/${kind}/`)), crumb: /Acme Corp.*›/ });
  }
  return places;
}

for (const [width, height] of [
  [1280, 900],
  [390, 844],
]) {
  test(`every main page fits ${width} px, says where it is and passes axe-core`, async ({ page, browser }, testInfo) => {
    test.setTimeout(180_000);
    const problems = watchPage(page);
    await page.setViewportSize({ width, height });
    await signIn(page, testInfo);
    await expect(page).toHaveURL(/\/$/);
    const found: string[] = [];
    let scripted: Page | undefined;
    if (!hydrated(testInfo)) {
      const ctx = await browser.newContext({
        javaScriptEnabled: true,
        viewport: { width, height },
        storageState: await page.context().storageState(),
      });
      await ctx.route(/\.(js|wasm)(\?|$)/, (r) => r.abort());
      scripted = await ctx.newPage();
    }
    for (const place of await mainPages(page)) {
      await page.goto(place.path);
      await waitHydrated(page, testInfo);
      const at = `${place.path} at ${width} px`;
      // No sideways scroll.
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      if (scroll > inner) found.push(`${at}: scrollWidth ${scroll} > ${inner}`);
      // Exactly one current page per navigation.
      const navs = page.locator("nav");
      for (let i = 0; i < (await navs.count()); i++) {
        const nav = navs.nth(i);
        const n = await nav.locator('[aria-current="page"]').count();
        if (n !== 1) found.push(`${at}: nav "${await nav.getAttribute("aria-label")}" has ${n} aria-current=page`);
      }
      // A breadcrumb naming the place, whose last crumb is the tab title's first words.
      const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
      if ((await crumbs.count()) !== 1) {
        found.push(`${at}: ${await crumbs.count()} breadcrumbs`);
      } else {
        const words = (await crumbs.locator("li").allInnerTexts()).map((t) => t.trim()).join(" › ");
        if (!place.crumb.test(words)) found.push(`${at}: breadcrumb "${words}" does not match ${place.crumb}`);
        const here = crumbs.locator('[aria-current="page"]');
        const last = (await here.count()) === 1 ? (await here.innerText()).trim() : "";
        const title = await page.title();
        if (!title.startsWith(last)) found.push(`${at}: title "${title}" does not start with "${last}"`);
      }
      // axe-core: no violation. Without JavaScript the page cannot run it, so the same page
      // is opened in a scripted tab of the same session with the app's own scripts refused.
      const audited = scripted ?? page;
      if (scripted) {
        await scripted.goto(place.path);
      }
      await audited.evaluate(axeSource);
      const violations = await audited.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        // The invoice document (upstream's HTML in a script-less sandbox) is not ours to audit.
        const r = await axe.run({ exclude: ["iframe"] }, { resultTypes: ["violations"], iframes: false });
        return r.violations.map((v) => `${v.id} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
      });
      for (const v of violations) found.push(`${at}: axe ${v}`);
    }
    expect(found).toEqual([]);
    // The demo's invoice document carries a hostile script on purpose; its sandbox refuses it.
    expect(problems.filter((p) => !p.includes("because the document's frame is sandboxed"))).toEqual([]);
  });
}

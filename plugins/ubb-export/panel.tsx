/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import type { PluginContext } from "../../core/index.ts";
import { PanelPage, renderPanel } from "../status-panel.tsx";
import { FolderError, crawlFolder } from "./list-folder.ts";
import { prepareListing, type ListedEntry, type Listing } from "./listing.ts";
import { LISTING_FORMATS, SORT_KEYS } from "./options.ts";
import { COPY_JS, PANEL_CSS } from "./panel-assets.ts";
import { readPanelQuery, type PanelRequest } from "./panel-query.ts";
import { fileDetails, folderDetails, totalLine } from "./render/labels.ts";
import { writeListing } from "./render/index.ts";
import type { UbbExportOptions } from "./settings.ts";

/**
 * The status-page panel: a form (folder, account, format, depth, globs, sort, dates, links), the
 * listing in a box with a copy button, and a preview of how it will look. Also
 * GET /plugins/ubb-export/listing.txt?… for the bare text (scripts, curl).
 */
export function mountPanel(app: Hono, ctx: PluginContext<UbbExportOptions>): void {
  const base = `/plugins/${ctx.name}`;
  const page = async (c: Context) => {
    const result = await listingFor(c, ctx);
    const status = "problems" in result ? result.status : 200;
    const res = await renderPanel(c, <Panel base={base} options={ctx.options} result={result} query={c.req.query()} />);
    // renderPanel takes 200, 400 or 404 only, and a refused (403) or unreadable (500) folder keeps its own.
    return status === 200 ? res : new Response(res.body, { status, headers: res.headers });
  };
  app.get("/", page);
  // "/plugins/ubb-export/" as well as "/plugins/ubb-export".
  app.get("/:index{^$}", page);
  app.get("/listing.txt", async (c) => {
    const result = await listingFor(c, ctx);
    if ("problems" in result) return c.text(result.problems.join("\n") + "\n", result.status);
    return c.text(result.text);
  });
  app.get("/copy.js", (c) => c.body(COPY_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/panel.css", (c) => c.body(PANEL_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));
}

/** A listing, or what is wrong with the request (and the HTTP status that says so: 400, 403, 404, 500). */
type ListingResult = { request: PanelRequest; listing: Listing; text: string } | { request: PanelRequest | null; problems: string[]; status: 400 | 403 | 404 | 500 };

async function listingFor(c: Context, ctx: PluginContext<UbbExportOptions>): Promise<ListingResult> {
  const request = readPanelQuery(ctx.v, c.req.query(), ctx.options);
  if ("problems" in request) return { request: null, problems: request.problems, status: 400 };
  const files = ctx.files(request.account);
  if (!files) return { request, problems: [`no account "${request.account}"`], status: 404 };
  if (request.links && !request.listing.linkBase) {
    return { request, problems: ["links need a link base such as ftp://myhost.ddns.net:2121 (or linkBase in the plugin's options)"], status: 400 };
  }
  try {
    const tree = await crawlFolder(files, request.path, { exclude: request.listing.exclude, concurrency: request.concurrency, maxFolders: request.maxFolders });
    const listing = prepareListing(tree, request.path, request.listing);
    return { request, listing, text: writeListing(listing, request.listing.format) };
  } catch (err) {
    if (err instanceof FolderError) return { request, problems: [err.message], status: err.httpStatus };
    throw err;
  }
}

function Panel(props: { base: string; options: UbbExportOptions; result: ListingResult; query: Record<string, string> }) {
  const r = props.result;
  const req = r.request;
  const value = (name: string, fallback: string) => props.query[name] ?? fallback;
  const o = req?.listing;
  return (
    <PanelPage title="Forum listing" styles={[`${props.base}/panel.css`]} scripts={[`${props.base}/copy.js`]}>
      <form method="get" action={props.base} class="ubb-form card">
        <input type="hidden" name="form" value="1" />
        <label>
          Folder
          <input type="text" name="path" value={req?.path ?? value("path", "/")} />
        </label>
        <label>
          Account
          <input type="text" name="account" value={req?.account ?? value("account", props.options.account)} />
        </label>
        <label>
          Format
          <Select name="format" options={LISTING_FORMATS} selected={o?.format ?? props.options.format} />
        </label>
        <label>
          Depth (0 = all)
          <input type="text" name="depth" size={3} value={String(o?.depth ?? props.options.depth)} />
        </label>
        <label>
          Include (globs, comma-separated)
          <input type="text" name="include" value={(o?.include ?? props.options.include).join(", ")} />
        </label>
        <label>
          Exclude
          <input type="text" name="exclude" value={(o?.exclude ?? props.options.exclude).join(", ")} />
        </label>
        <label>
          Sort by
          <Select name="sort" options={SORT_KEYS} selected={o?.sort ?? props.options.sort} />
        </label>
        <label>
          Order
          <Select name="order" options={["asc", "desc"]} selected={o?.order ?? props.options.order} />
        </label>
        <Check name="foldersFirst" label="Folders first" checked={o?.foldersFirst ?? props.options.foldersFirst} />
        <Check name="dates" label="Dates" checked={o?.dates ?? props.options.dates} />
        <Check name="links" label="Links" checked={req?.links ?? props.options.links} />
        <label>
          Link base
          <input type="text" name="linkBase" placeholder="ftp://myhost.ddns.net:2121" value={value("linkBase", props.options.linkBase ?? "")} />
        </label>
        <button type="submit">List</button>
      </form>
      {"problems" in r ? (
        <ul class="ubb-problems">
          {r.problems.map((p) => (
            <li>{p}</li>
          ))}
        </ul>
      ) : (
        <>
          <section class="card">
            <p>
              <button type="button" data-copy="ubb-output">
                Copy
              </button>{" "}
              {totalLine(r.listing.totals, r.listing.errors)}
            </p>
            <textarea id="ubb-output" class="ubb-output" readonly>
              {r.text}
            </textarea>
          </section>
          <section class="card ubb-preview">
            <h2>Preview</h2>
            <strong>{r.listing.title}</strong>
            <Entries entries={r.listing.entries} dates={r.listing.dates} />
          </section>
        </>
      )}
    </PanelPage>
  );
}

/** The listing as a forum would show it: nested lists, folders in bold, links where asked for. */
function Entries(props: { entries: ListedEntry[]; dates: boolean }) {
  if (!props.entries.length) return <></>;
  return (
    <ul>
      {props.entries.map((e) => {
        const name = e.kind === "folder" ? <strong>{e.name}</strong> : <>{e.name}</>;
        return (
          <li>
            {e.href ? <a href={e.href}>{name}</a> : name}{" "}
            <span class="details">{e.kind === "folder" ? folderDetails(e, props.dates) : fileDetails(e, props.dates)}</span>
            {e.kind === "folder" && e.children && <Entries entries={e.children} dates={props.dates} />}
          </li>
        );
      })}
    </ul>
  );
}

function Select(props: { name: string; options: readonly string[]; selected: string }) {
  return (
    <select name={props.name}>
      {props.options.map((option) => (
        <option value={option} selected={option === props.selected}>
          {option}
        </option>
      ))}
    </select>
  );
}

function Check(props: { name: string; label: string; checked: boolean }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} value="1" checked={props.checked} />
      {props.label}
    </label>
  );
}

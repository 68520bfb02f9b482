// greeter — the example plugin of docs/writing-plugins.md. It turns some users away, adds
// SITE GREET, counts each user's logins across restarts, and shows the counts on the status page.
//
// A plugin file is loaded by path at run time (by the compiled executable too), so it imports
// types only: valibot comes from the host, as `options: (v) => …` and `ctx.v`.
import type { Plugin } from "ftpi";

interface Options {
  /** What SITE GREET says before the user's name. */
  greeting: string;
  /** Users who may not log in, whatever their password. */
  blocked: string[];
}

/** Logins per user: what the plugin keeps across restarts. */
type Visits = Record<string, number>;

// Hooks receive events, not the context: what they need from setup() lives here.
let blocked: string[] = [];
let visits: Visits = {};
let saveVisits: () => void = () => {};

const greeter: Plugin<Options> = {
  name: "greeter",

  // Checked at startup against the config's `options:`; the defaults fill what is left out.
  options: (v) =>
    v.object({
      greeting: v.optional(v.pipe(v.string(), v.nonEmpty("the greeting cannot be empty")), "Hello"),
      blocked: v.optional(v.array(v.string()), ["mallory"]),
    }),

  async setup(ctx) {
    blocked = ctx.options.blocked;

    // <data dir>/plugins/greeter/visits.json, written atomically.
    const store = ctx.state<Visits>("visits");
    visits = (await store.load()) ?? {};
    saveVisits = () => {
      store.save(visits).catch((err) => ctx.log.error(`cannot save visits: ${err.message}`));
    };

    ctx.site("GREET", "GREET: a greeting, and how often you have logged in", ({ session }) => {
      const user = session.user ?? "stranger";
      return `${ctx.options.greeting}, ${user}! This is visit number ${visits[user] ?? 0}.`;
    });

    // Routes under /plugins/greeter on the status page, behind its admin login. A user name goes
    // into the HTML through ctx.escapeHtml: names may hold <, & or quotes.
    ctx.web((app) => {
      app.get("/", (c) => {
        const rows = Object.entries(visits)
          .map(([user, n]) => `<tr><td>${ctx.escapeHtml(user)}</td><td>${n}</td></tr>`)
          .join("");
        return c.html(
          `<!DOCTYPE html><html lang="en"><head><title>Greeter · ftpi</title><link rel="stylesheet" href="/assets/style.css"></head>` +
            `<body><main><h1>Visits</h1><table class="cards"><tr><th>User</th><th>Logins</th></tr>${rows}</table></main></body></html>`,
        );
      });
      app.get("/api/visits", (c) => c.json(visits));
    });
  },

  // A guard: returning { code, text } refuses the login; returning nothing lets it go on.
  onLogin({ user }) {
    if (blocked.includes(user)) return { code: 530, text: `Sorry ${user}, not today.` };
  },

  // A listener: told after the reply went out. Status-page admin logins arrive here too, with
  // session.id "web"; this plugin counts FTP logins only.
  onLoginResult({ ok, user, session }) {
    if (!ok || session.id === "web") return;
    visits[user] = (visits[user] ?? 0) + 1;
    saveVisits();
  },
};

export default greeter;

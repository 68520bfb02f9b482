/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { VERSION } from "../snapshot.ts";
import { assetUrl } from "./layout.tsx";

export interface LoginPageProps {
  /** Ties the form to the browser that loaded it (see login-routes.tsx). */
  formToken: string;
  next: string;
  error?: string;
}

export function LoginPage(props: LoginPageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>Log in · ftpi</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl("style.css")} />
      </head>
      <body class="login-body">
        <main class="login">
          <form method="post" action="/login" class="card">
            <h1>
              <img src="/favicon.svg" alt="" width="32" height="32" /> ftpi status
            </h1>
            {props.error && (
              <p class="error" role="alert">
                {props.error}
              </p>
            )}
            <input type="hidden" name="token" value={props.formToken} />
            <input type="hidden" name="next" value={props.next} />
            <label>
              User
              <input name="user" value="admin" autocomplete="username" readonly />
            </label>
            <label>
              Password
              <input name="password" type="password" autocomplete="current-password" required autofocus />
            </label>
            <button type="submit" class="primary">
              Log in
            </button>
            <p class="hint">
              The admin password was printed once when ftpi first started. Forgot it? Set FTPI_ADMIN_PASSWORD, or delete admin.json in the
              data folder and restart for a new one.
            </p>
          </form>
          <p class="dim center">ftpi {VERSION}</p>
        </main>
      </body>
    </html>
  );
}

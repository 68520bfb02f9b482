// Imported, not read at run time, so the compiled binary carries it.
import pkg from "../../package.json" with { type: "json" };

/**
 * What every request of the ddns plugin says it is. dyndns2 services (No-IP, Dyn) ask for
 * "name/version" plus a way to tell the client apart; a made-up project URL would be worse than
 * none, so the comment names the software and its job. Add a homepage here once one exists.
 */
export const USER_AGENT = `ftpi/${pkg.version} (ftpi home FTP server; dynamic DNS updater)`;

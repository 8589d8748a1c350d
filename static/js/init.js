// Optional enhancement: every page works without this script.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

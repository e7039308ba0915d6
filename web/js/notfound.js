import "./storage.js"; // first: a stand-in where the browser blocks storage
import { initI18n } from "./i18n.js";
initI18n();

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { AuthProvider } from "./api/auth";
import { App } from "./App";
import { SessionI18n } from "./i18n/SessionI18n";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <AuthProvider>
        <SessionI18n>
          <App />
        </SessionI18n>
      </AuthProvider>
    </BrowserRouter>
  </StrictMode>,
);

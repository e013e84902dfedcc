import { describe, expect, it } from "vitest";
import { setCurrentLocale } from "../i18n";
import { type DeclinedInvoice, declineReasonText, dunningNotice } from "./dunning";

const base: DeclinedInvoice = {
  number: "INV-2026-11-0004",
  balance: { amount: "92.97", currency: "USD" },
  dunning: {
    state: "RETRYING",
    nextRetryOn: "2026-11-26",
    suspendsOn: "2026-12-08",
    // Late in the UTC day: the day shown is the run's day (UTC), not the viewer's (the tests run at UTC-10).
    lastDeclinedAt: "2026-11-25T23:30:00Z",
    attempts: [{ at: "2026-11-25T23:30:00Z", outcome: "DECLINED", declineReason: "INSUFFICIENT_FUNDS" }],
  },
};

describe("dunningNotice", () => {
  it("says when the card was declined, why, and when the retry is", () => {
    const notice = dunningNotice(base, "en-US");
    expect(notice?.headline).toBe(
      "Your card was declined on Nov 25, 2026 for invoice INV-2026-11-0004 ($92.97): insufficient funds.",
    );
    expect(notice?.detail).toBe(
      "We'll retry on Nov 26, 2026. Your service stays connected until at least Dec 8, 2026. Or update your card and pay now.",
    );
  });

  it("after the last retry, says none is left and when the service is suspended", () => {
    const notice = dunningNotice(
      { ...base, dunning: { ...base.dunning!, state: "EXHAUSTED", nextRetryOn: null } },
      "en-US",
    );
    expect(notice?.detail).toBe(
      "That was the last automatic attempt. Unpaid, your service is suspended from Dec 8, 2026. Update your card and pay to stay connected.",
    );
  });

  it("says nothing once a retry succeeded or without dunning", () => {
    expect(dunningNotice({ ...base, dunning: { ...base.dunning!, state: "RECOVERED" } })).toBeNull();
    expect(dunningNotice({ ...base, dunning: null })).toBeNull();
  });

  it("names every reason, and an unknown one plainly", () => {
    expect(declineReasonText("LOST_OR_STOLEN")).toBe("the card was reported lost or stolen");
    expect(declineReasonText("SOMETHING_NEW")).toBe("declined");
    expect(declineReasonText(null)).toBe("declined");
  });

  it("speaks the language on screen, its dates and money included", () => {
    try {
      setCurrentLocale("es");
      const notice = dunningNotice(base);
      expect(notice?.headline).toBe(
        "Tu tarjeta fue rechazada el 25 nov 2026 para la factura INV-2026-11-0004 (92,97\u00a0US$): fondos insuficientes.",
      );
      expect(notice?.detail).toBe(
        "Lo intentaremos de nuevo el 26 nov 2026. Tu servicio sigue conectado al menos hasta el 8 dic 2026. O actualiza tu tarjeta y paga ahora.",
      );
      setCurrentLocale("pt");
      expect(declineReasonText("EXPIRED_CARD")).toBe("o cartão está vencido");
      expect(dunningNotice({ ...base, dunning: { ...base.dunning!, state: "EXHAUSTED", nextRetryOn: null } })?.detail).toBe(
        "Essa foi a última tentativa automática. Sem pagamento, seu serviço será suspenso a partir de 8 de dez. de 2026. Atualize seu cartão e pague para continuar conectado.",
      );
    } finally {
      setCurrentLocale("en");
    }
  });
});

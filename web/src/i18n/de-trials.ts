/** German strings added for the new-user trials' fixes (lift needs, stalled lists, pause undo, open funnel windows, missing campaigns); de.ts spreads them in. */
export const deTrials = {
  'lift.noHoldout': 'nicht messbar: die Kontrollgruppe ist 0 %, es gibt niemanden zum Vergleich',
  'lift.notEnoughNeeded': 'zu wenige Daten: noch {needed} nötig',
  'lift.needControl.one': '{n} Kunde in der Kontrollgruppe',
  'lift.needControl.other': '{n} Kunden in der Kontrollgruppe',
  'lift.needTreatment.one': '{n} Kunde in der Testgruppe',
  'lift.needTreatment.other': '{n} Kunden in der Testgruppe',
  'lift.needBoth': '{control} Kunden in der Kontrollgruppe und {treatment} in der Testgruppe',
  'customers.title.stalled.one': 'Kunden, die in der Phase {stage} stocken (länger als {days} Tag)',
  'customers.title.stalled.other': 'Kunden, die in der Phase {stage} stocken (länger als {days} Tage)',
  'notice.paused': '„{name}“ pausiert: Die Kampagne sendet nichts, bis sie wieder aktiviert wird.',
  'notice.activated': '„{name}“ aktiviert.',
  'notice.undo': 'Rückgängig',
  'notice.undoPause': 'Rückgängig: „{name}“ wieder aktivieren',
  'settings.globalControlOff':
    'Die globale Kontrollgruppe ist aus (0 %): Niemand ist darin, alle Kunden können Werbemails erhalten, und nichts wird gemessen. Bei einem Anteil über 0 werden Kunden ab ihrer nächsten Werbemail gezählt.',
  'settings.globalControlNoneYet':
    'Noch niemand gezählt: Kunden erhalten ihren Platz (Kontrollgruppe oder nicht) bei ihrer nächsten Werbemail.',
  'settings.globalControlOffNow':
    'Die Gruppe ist jetzt aus (0 %): Niemand kommt mehr hinein oder wird gezählt. Die Zahlen stammen aus der Zeit, in der sie an war.',
  'overview.openWindows':
    'Noch nicht endgültig: Kunden, die seit {from} zuerst gesehen wurden, sind noch in ihrem Zeitfenster von {days} Tagen und können spätere Schritte noch erreichen; der Absprung bei den letzten Schritten wird also kleiner.',
  'overview.timeScaleHint':
    'Auf diesem lokalen Stack verkürzt STAGEFLOW_TIME_SCALE die Wartezeiten der Flows (eine Bewertungsanfrage nach Sekunden statt Tagen), spätere Schritte kommen also früher.',
  'attribution.missingTitle': 'Warum fehlt eine Kampagne?',
  'attribution.missing':
    'Eine Mail-Kampagne erhält hier nur für Bestellungen Anteile, denen innerhalb des Rückblicks ein Klick in einer ihrer Mails vorausging: Der Klick ist der Besuch, den die Mail ausgelöst hat, und trägt die Kampagne als utm-Kampagne. Eine geöffnete Mail oder ein Kauf ohne Klick bringt der Kampagne hier nichts. Ihre eigene Seite zählt diese Kunden trotzdem als konvertiert, denn sie vergleicht die ganze Testgruppe mit der Kontrollgruppe, ob mit Klick oder ohne. Eine Kampagne, deren Käufer vorher nicht geklickt haben, fehlt daher auf dieser Seite.',
  'campaign.missingLink': 'Warum fehlt diese Kampagne in der Attribution?',
  'event.Referral Converted': 'Empfehlung eingelöst (erster Kauf eines geworbenen Freundes)',
  'report.dayFormat': 'JJJJ-MM-TT',
  'session.signedInLabel': 'Angemeldet als',
  'session.who': '{name} · {scope}',
} as const;

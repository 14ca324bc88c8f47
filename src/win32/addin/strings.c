/* String table: English and German text of the ribbon, context menus and messages. */
#include "strings.h"

#include <string.h>

/* German umlauts are written as \u escapes so the file stays ASCII. */
static const wchar_t *const table[LANG_COUNT][S_COUNT] = {
    [LANG_EN] = {
        [S_TAB] = L"olsync",
        [S_GRP_SYNC] = L"Synchronize",
        [S_GRP_SERVER] = L"On the server",
        [S_GRP_PROFILE] = L"Profile",
        [S_GRP_OPTIONS] = L"Options",
        [S_FOLDERTREE_L] = L"Folder tree",
        [S_FOLDERTREE_T] = L"Sync the folder tree",
        [S_FOLDERTREE_D] = L"Compare Outlook's folders with the folders on the IMAP server now, "
                           L"and create, rename or delete them on either side.",
        [S_SYNCNOW_L] = L"Sync now",
        [S_SYNCNOW_T] = L"Sync all folders now",
        [S_SYNCNOW_D] = L"Exchange new, changed and deleted items of every synchronized "
                        L"folder with the server now.",
        [S_ACTIVITY_L] = L"Activity",
        [S_ACTIVITY_T] = L"Notification Center",
        [S_ACTIVITY_D] = L"What olsync is doing: progress of the running sync, the log of "
                         L"this session, and the items it had to skip.",
        [S_RULES_L] = L"Filters",
        [S_RULES_T] = L"Mail filters on the server",
        [S_RULES_D] = L"Rules the server applies to incoming mail (Sieve), such as moving "
                      L"or flagging messages.",
        [S_FORWARD_L] = L"Forwarding",
        [S_FORWARD_T] = L"Forward incoming mail",
        [S_FORWARD_D] = L"Let the server forward incoming mail to another address, with or "
                        L"without keeping a copy.",
        [S_RESPONDER_L] = L"Auto-reply",
        [S_RESPONDER_T] = L"Automatic replies",
        [S_RESPONDER_D] = L"Let the server answer incoming mail while you are away.",
        [S_NEWPROFILE_L] = L"New profile",
        [S_NEWPROFILE_T] = L"Create an Outlook profile",
        [S_NEWPROFILE_D] = L"Open the Mail control panel to create an Outlook profile that "
                           L"olsync keeps in sync.",
        [S_BINDPROFILE_L] = L"Bind profile",
        [S_BINDPROFILE_T] = L"Use this profile with olsync",
        [S_BINDPROFILE_D] = L"Connect the current Outlook profile to your IMAP account.",
        [S_LICENSE_L] = L"License",
        [S_LICENSE_T] = L"License and updates",
        [S_LICENSE_D] = L"Show the license state and look for updates.",
        [S_SETTINGS_L] = L"Settings",
        [S_SETTINGS_T] = L"olsync settings",
        [S_SETTINGS_D] = L"Account, download, synchronization, appearance and log settings.",
        [S_HELP_L] = L"Help",
        [S_HELP_T] = L"Getting started",
        [S_HELP_D] = L"How to set up olsync, and where it keeps its settings and logs.",
        [S_CTX_PRIORITY_L] = L"Sync often (priority)",
        [S_CTX_PRIORITY_T] = L"Priority sync",
        [S_CTX_PRIORITY_D] = L"Sync this folder at the short priority interval.",
        [S_CTX_AUTOSYNC_L] = L"Sync automatically, with sub-folders",
        [S_CTX_AUTOSYNC_T] = L"Automatic sync",
        [S_CTX_AUTOSYNC_D] = L"Keep this folder and every folder below it in sync; new "
                             L"sub-folders inherit the choice.",
        [S_CTX_SYNCFOLDER_L] = L"Sync this folder now",
        [S_CTX_SYNCFOLDER_T] = L"Sync this folder",
        [S_CTX_SYNCFOLDER_D] = L"Exchange this folder's changes with the server now.",
        [S_CTX_CLEARIGNORE_L] = L"Retry skipped items",
        [S_CTX_CLEARIGNORE_T] = L"Clear the ignore list",
        [S_CTX_CLEARIGNORE_D] = L"Forget the items of this folder that failed three times, "
                                L"so the next sync tries them again.",
        [S_CTX_SHARING_L] = L"Sharing...",
        [S_CTX_SHARING_T] = L"Folder access rights",
        [S_CTX_SHARING_D] = L"Give other users of the server rights on this folder (IMAP ACL).",
        [S_CTX_ABOOK_L] = L"Show in address book",
        [S_CTX_ABOOK_T] = L"Address book",
        [S_CTX_ABOOK_D] = L"List the contacts of this folder in Outlook's address book.",
        [S_CTX_REMOVESHARED_L] = L"Remove shared account",
        [S_CTX_REMOVESHARED_T] = L"Remove shared account",
        [S_CTX_REMOVESHARED_D] = L"Stop syncing a mailbox another user shared with you.",
        [S_WHY_STATE_DB] = L"Not available yet: this choice is kept in the sync engine's state "
                           L"database, which is not part of this build of the add-in.",
        [S_WHY_ACL] = L"Not available yet: access rights need the sync engine's IMAP client, "
                      L"which is not part of this build of the add-in.",
        [S_WHY_SHARED] = L"Not available yet: shared accounts come with the sync engine, which "
                         L"is not part of this build of the add-in.",
        [S_WHY_RUNNING] = L"Already running; wait until it has finished.",
        [S_WHY_GUARD] = L"Turned off for this session after an internal error; details are in "
                        L"the olsync log.",
        [S_WHY_CLOSING] = L"Outlook is closing.",
        [S_WHY_NO_PROFILE] = L"Set up an olsync account first (Settings).",
        [S_MSG_SETTINGS_NA] = L"The Settings window is not available in this build yet.\n\n"
                              L"Until then, edit %ls or use the olsync command (olsync "
                              L"settings). olsync reads the file again when you close this "
                              L"message.",
        [S_MSG_ACTIVITY_NA] = L"The Notification Center is not available in this build yet. "
                              L"The olsync log in %ls records what olsync does.",
        [S_MSG_BIND_NA] = L"A profile is bound in the Settings window, which is not available in "
                          L"this build yet.\n\nUntil then, enter the account in %ls; olsync "
                          L"reads the file again when you close this message.",
        [S_MSG_LICENSE_NA] = L"License and updates are part of the Settings window, which is not "
                             L"available in this build yet.",
        [S_MSG_ENGINE_MISSING] = L"%ls could not start: the sync engine is not linked into this "
                                 L"build of the add-in yet.",
        [S_MSG_NO_ACCOUNT] = L"%ls needs an IMAP account. Enter one in the settings first.",
        [S_MSG_SIEVE_MISSING] = L"%ls could not be loaded from the server: the ManageSieve client "
                                L"is not linked into this build of the add-in yet.",
        [S_MSG_FOLDER_UNKNOWN] = L"olsync could not tell which folder this is (Outlook answered "
                                 L"0x%08lx).",
        [S_MSG_JOB_FAILED] = L"%ls failed: %ls",
        [S_MSG_GUARD] = L"%ls was turned off after an internal error. Outlook and the rest of "
                        L"olsync keep working; details are in the olsync log.",
        [S_MSG_NEWPROFILE_FAILED] = L"The Mail control panel could not be opened (error %lu).",
        [S_MSG_HELP] = L"olsync %ls keeps Outlook in sync with an IMAP server.\n\n"
                       L"1. Create a profile, or bind the one you use (Profile group).\n"
                       L"2. Enter your account in the settings.\n"
                       L"3. Press Sync now, or let olsync sync on its own.\n\n"
                       L"Settings file: %ls\nLogs: %ls",
        [S_MSG_NOT_NOW] = L"%ls is not available right now: %ls",
    },
    [LANG_DE] = {
        [S_TAB] = L"olsync",
        [S_GRP_SYNC] = L"Abgleich",
        [S_GRP_SERVER] = L"Auf dem Server",
        [S_GRP_PROFILE] = L"Profil",
        [S_GRP_OPTIONS] = L"Optionen",
        [S_FOLDERTREE_L] = L"Ordnerbaum",
        [S_FOLDERTREE_T] = L"Ordnerbaum abgleichen",
        [S_FOLDERTREE_D] = L"Die Ordner in Outlook jetzt mit den Ordnern auf dem IMAP-Server "
                           L"vergleichen und auf beiden Seiten anlegen, umbenennen oder l\u00f6schen.",
        [S_SYNCNOW_L] = L"Jetzt abgleichen",
        [S_SYNCNOW_T] = L"Alle Ordner jetzt abgleichen",
        [S_SYNCNOW_D] = L"Neue, ge\u00e4nderte und gel\u00f6schte Elemente aller abgeglichenen "
                        L"Ordner jetzt mit dem Server austauschen.",
        [S_ACTIVITY_L] = L"Aktivit\u00e4t",
        [S_ACTIVITY_T] = L"Benachrichtigungscenter",
        [S_ACTIVITY_D] = L"Was olsync gerade tut: Fortschritt des laufenden Abgleichs, das "
                         L"Protokoll dieser Sitzung und \u00fcbersprungene Elemente.",
        [S_RULES_L] = L"Filter",
        [S_RULES_T] = L"Mailfilter auf dem Server",
        [S_RULES_D] = L"Regeln, die der Server auf eingehende Mail anwendet (Sieve), etwa "
                      L"Verschieben oder Markieren.",
        [S_FORWARD_L] = L"Weiterleitung",
        [S_FORWARD_T] = L"Eingehende Mail weiterleiten",
        [S_FORWARD_D] = L"Eingehende Mail vom Server an eine andere Adresse weiterleiten lassen, "
                        L"mit oder ohne Kopie.",
        [S_RESPONDER_L] = L"Abwesenheit",
        [S_RESPONDER_T] = L"Automatische Antworten",
        [S_RESPONDER_D] = L"Eingehende Mail vom Server beantworten lassen, solange Sie "
                          L"abwesend sind.",
        [S_NEWPROFILE_L] = L"Neues Profil",
        [S_NEWPROFILE_T] = L"Outlook-Profil anlegen",
        [S_NEWPROFILE_D] = L"Die Systemsteuerung \u201eMail\u201c \u00f6ffnen, um ein "
                           L"Outlook-Profil anzulegen, das olsync abgleicht.",
        [S_BINDPROFILE_L] = L"Profil verbinden",
        [S_BINDPROFILE_T] = L"Dieses Profil mit olsync nutzen",
        [S_BINDPROFILE_D] = L"Das aktuelle Outlook-Profil mit Ihrem IMAP-Konto verbinden.",
        [S_LICENSE_L] = L"Lizenz",
        [S_LICENSE_T] = L"Lizenz und Updates",
        [S_LICENSE_D] = L"Lizenzstatus anzeigen und nach Updates suchen.",
        [S_SETTINGS_L] = L"Einstellungen",
        [S_SETTINGS_T] = L"olsync-Einstellungen",
        [S_SETTINGS_D] = L"Konto, Download, Abgleich, Darstellung und Protokoll.",
        [S_HELP_L] = L"Hilfe",
        [S_HELP_T] = L"Erste Schritte",
        [S_HELP_D] = L"So richten Sie olsync ein, und dort liegen Einstellungen und Protokolle.",
        [S_CTX_PRIORITY_L] = L"H\u00e4ufig abgleichen (Priorit\u00e4t)",
        [S_CTX_PRIORITY_T] = L"Priorit\u00e4tsabgleich",
        [S_CTX_PRIORITY_D] = L"Diesen Ordner im kurzen Priorit\u00e4tsintervall abgleichen.",
        [S_CTX_AUTOSYNC_L] = L"Automatisch abgleichen, mit Unterordnern",
        [S_CTX_AUTOSYNC_T] = L"Automatischer Abgleich",
        [S_CTX_AUTOSYNC_D] = L"Diesen Ordner und alle darunter abgleichen; neue Unterordner "
                             L"\u00fcbernehmen die Wahl.",
        [S_CTX_SYNCFOLDER_L] = L"Diesen Ordner jetzt abgleichen",
        [S_CTX_SYNCFOLDER_T] = L"Ordner abgleichen",
        [S_CTX_SYNCFOLDER_D] = L"\u00c4nderungen dieses Ordners jetzt mit dem Server austauschen.",
        [S_CTX_CLEARIGNORE_L] = L"\u00dcbersprungene Elemente erneut versuchen",
        [S_CTX_CLEARIGNORE_T] = L"Ignorierliste leeren",
        [S_CTX_CLEARIGNORE_D] = L"Elemente dieses Ordners vergessen, die dreimal scheiterten, "
                                L"damit der n\u00e4chste Abgleich sie erneut versucht.",
        [S_CTX_SHARING_L] = L"Freigabe...",
        [S_CTX_SHARING_T] = L"Zugriffsrechte des Ordners",
        [S_CTX_SHARING_D] = L"Anderen Benutzern des Servers Rechte an diesem Ordner geben "
                            L"(IMAP-ACL).",
        [S_CTX_ABOOK_L] = L"Im Adressbuch anzeigen",
        [S_CTX_ABOOK_T] = L"Adressbuch",
        [S_CTX_ABOOK_D] = L"Die Kontakte dieses Ordners im Outlook-Adressbuch anzeigen.",
        [S_CTX_REMOVESHARED_L] = L"Freigegebenes Konto entfernen",
        [S_CTX_REMOVESHARED_T] = L"Freigegebenes Konto entfernen",
        [S_CTX_REMOVESHARED_D] = L"Ein Postfach, das ein anderer Benutzer f\u00fcr Sie freigegeben "
                                 L"hat, nicht mehr abgleichen.",
        [S_WHY_STATE_DB] = L"Noch nicht verf\u00fcgbar: Diese Wahl steht in der Zustandsdatenbank "
                           L"des Abgleichs, die in diesem Build des Add-ins noch fehlt.",
        [S_WHY_ACL] = L"Noch nicht verf\u00fcgbar: Zugriffsrechte brauchen den IMAP-Client des "
                      L"Abgleichs, der in diesem Build des Add-ins noch fehlt.",
        [S_WHY_SHARED] = L"Noch nicht verf\u00fcgbar: Freigegebene Konten kommen mit dem "
                         L"Abgleich, der in diesem Build des Add-ins noch fehlt.",
        [S_WHY_RUNNING] = L"L\u00e4uft bereits; bitte warten, bis es fertig ist.",
        [S_WHY_GUARD] = L"Nach einem internen Fehler f\u00fcr diese Sitzung abgeschaltet; "
                        L"Einzelheiten stehen im olsync-Protokoll.",
        [S_WHY_CLOSING] = L"Outlook wird beendet.",
        [S_WHY_NO_PROFILE] = L"Richten Sie zuerst ein olsync-Konto ein (Einstellungen).",
        [S_MSG_SETTINGS_NA] = L"Das Einstellungsfenster gibt es in diesem Build noch nicht.\n\n"
                              L"Bis dahin k\u00f6nnen Sie %ls bearbeiten oder den Befehl olsync "
                              L"settings nutzen. olsync liest die Datei neu, wenn Sie diese "
                              L"Meldung schlie\u00dfen.",
        [S_MSG_ACTIVITY_NA] = L"Das Benachrichtigungscenter gibt es in diesem Build noch nicht. "
                              L"Das olsync-Protokoll in %ls h\u00e4lt fest, was olsync tut.",
        [S_MSG_BIND_NA] = L"Ein Profil wird im Einstellungsfenster verbunden, das es in diesem "
                          L"Build noch nicht gibt.\n\nBis dahin tragen Sie das Konto in %ls ein; "
                          L"olsync liest die Datei neu, wenn Sie diese Meldung schlie\u00dfen.",
        [S_MSG_LICENSE_NA] = L"Lizenz und Updates sind Teil des Einstellungsfensters, das es in "
                             L"diesem Build noch nicht gibt.",
        [S_MSG_ENGINE_MISSING] = L"%ls konnte nicht starten: Der Abgleich ist in diesem Build des "
                                 L"Add-ins noch nicht enthalten.",
        [S_MSG_NO_ACCOUNT] = L"%ls braucht ein IMAP-Konto. Tragen Sie zuerst eines in den "
                             L"Einstellungen ein.",
        [S_MSG_SIEVE_MISSING] = L"%ls konnte nicht vom Server geladen werden: Der "
                                L"ManageSieve-Client ist in diesem Build des Add-ins noch nicht "
                                L"enthalten.",
        [S_MSG_FOLDER_UNKNOWN] = L"olsync konnte nicht feststellen, welcher Ordner das ist "
                                 L"(Outlook antwortete 0x%08lx).",
        [S_MSG_JOB_FAILED] = L"%ls ist fehlgeschlagen: %ls",
        [S_MSG_GUARD] = L"%ls wurde nach einem internen Fehler abgeschaltet. Outlook und der Rest "
                        L"von olsync arbeiten weiter; Einzelheiten stehen im olsync-Protokoll.",
        [S_MSG_NEWPROFILE_FAILED] = L"Die Systemsteuerung \u201eMail\u201c lie\u00df sich nicht "
                                    L"\u00f6ffnen (Fehler %lu).",
        [S_MSG_HELP] = L"olsync %ls h\u00e4lt Outlook mit einem IMAP-Server abgeglichen.\n\n"
                       L"1. Legen Sie ein Profil an oder verbinden Sie Ihr Profil (Gruppe "
                       L"Profil).\n"
                       L"2. Tragen Sie Ihr Konto in den Einstellungen ein.\n"
                       L"3. Dr\u00fccken Sie Jetzt abgleichen, oder lassen Sie olsync selbst "
                       L"abgleichen.\n\n"
                       L"Einstellungsdatei: %ls\nProtokolle: %ls",
        [S_MSG_NOT_NOW] = L"%ls ist gerade nicht verf\u00fcgbar: %ls",
    },
};

const wchar_t *ols_str(enum ols_lang lang, enum str_id id)
{
    const wchar_t *s;
    if ((unsigned)id >= S_COUNT)
        return L"";
    if ((unsigned)lang >= LANG_COUNT)
        lang = LANG_EN;
    s = table[lang][id];
    if (!s)
        s = table[LANG_EN][id]; /* a missing translation shows the English text */
    return s ? s : L"";
}

enum ols_lang ols_lang_from_code(const char *code)
{
    if (code && !strcmp(code, "de"))
        return LANG_DE;
    return LANG_EN;
}

const char *ols_lang_code(enum ols_lang lang) { return lang == LANG_DE ? "de" : "en"; }

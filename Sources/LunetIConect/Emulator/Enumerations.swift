/// The seed's enumerations, with their exact numbers and member names.
enum Enums {
    static let state: [Int64: String] = [0: "Active", 2: "Disabled"]
    /// Project list filter (`?type=`).
    static let databaseFilter: [Int64: String] = [0: "Projects", 1: "Templates", 2: "ProjectsAndTemplates"]
    static let databaseType: [Int64: String] = [
        0: "ALL", 3: "DOCUMENTS", 4: "XTRACT_DOCUMENTS", 5: "XTRACT_TEMPLATE", 6: "DATA_MINIMIZATION",
    ]
    static let fieldType: [Int64: String] = [
        0: "LIMITED_TEXT", 1: "FULL_TEXT", 2: "DATE", 3: "NUMERIC", 4: "NATIVE_FILE", 5: "IMAGE_LINK",
        6: "CURRENCY", 7: "DATETIME", 8: "DURATION", 9: "IDENTITY", 10: "COMPUTED",
    ]
    static let dateFormat: [Int64: String] = [
        0: "NOT_APPLICABLE", 1: "DDMMYY", 2: "DDMMYYYY", 3: "MMDDYY", 4: "MMDDYYYY", 5: "YYMMDD", 6: "YYYYMMDD",
        7: "YYYYMMDDNOSPLIT",
    ]
    static let numericFormat: [Int64: String] = [0: "NOT_APPLICABLE", 1: "NORMAL", 2: "ZERO_FILLED", 3: "PERCENTAGE"]
    static let currencyFormat: [Int64: String] = [0: "NOT_APPLICABLE", 1: "DOLLARS", 2: "EUROS", 3: "POUND"]
    static let timeFormat: [Int64: String] = [0: "NOT_APPLICABLE", 1: "HHMMSSAMPM", 2: "HHMMSS"]
    static let durationFormat: [Int64: String] = [0: "NOT_APPLICABLE", 1: "DAYS_PLUS_HHMMSS"]
    static let panelType: [Int64: String] = [0: "STANDARD", 1: "CUSTOM_RELATED"]
    static let jobType: [Int64: String] = [
        50006: "MassActionDelete", 50007: "DelimitedImport", 50020: "ZipFileExtraction", 50035: "NativeImport",
    ]
    static let jobStatus: [Int64: String] = [
        0: "Not_Started", 1: "Scheduled", 2: "NotFound", 3: "Error", 4: "Cancelled", 5: "Completed", 6: "Working",
        7: "WaitingForWorker", 8: "CompletedWithErrors", 9: "Undoing", 10: "Undone", 11: "UndoFailed",
        12: "ManualInterventionRequired", 13: "CompletedWithWarnings", 14: "CompletedWithStatus",
        15: "BlockedByOtherWork",
    ]
    static let jobState: [Int64: String] = [0: "Stopped", 1: "Starting", 2: "Running", 3: "Cancelling", 4: "Paused"]
    /// Template list `?type=`: only native import templates exist.
    static let templateType: [Int64: String] = [7: "NativeImport"]

    /// "0 (Active), 2 (Disabled)" for error messages.
    static func describe(_ members: [Int64: String]) -> String {
        members.keys.sorted().map { "\($0) (\(members[$0]!))" }.joined(separator: ", ")
    }
}

/// Field types, by name, for the code that treats them differently.
enum FieldType {
    static let limitedText: Int64 = 0, fullText: Int64 = 1, date: Int64 = 2, numeric: Int64 = 3
    static let nativeFile: Int64 = 4, imageLink: Int64 = 5, currency: Int64 = 6, dateTime: Int64 = 7
    static let duration: Int64 = 8, identity: Int64 = 9, computed: Int64 = 10
}

/// Job statuses and states used by the progression.
enum JobStatus {
    static let notStarted: Int64 = 0, scheduled: Int64 = 1, cancelled: Int64 = 4, completed: Int64 = 5
    static let working: Int64 = 6, waitingForWorker: Int64 = 7, completedWithErrors: Int64 = 8
    /// wire.md: the statuses a job does not leave by itself.
    static let terminal: Set<Int64> = [2, 3, 4, 5, 8, 10, 11, 12, 13, 14]
}

enum JobState {
    static let stopped: Int64 = 0, starting: Int64 = 1, running: Int64 = 2
}

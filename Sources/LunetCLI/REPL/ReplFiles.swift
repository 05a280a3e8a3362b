import Foundation

/// File listings for completion: paths inside strings, and module names
/// found along package.path.
enum ReplFiles {
    /// Entries of the folder named by `prefix` that start with its last part;
    /// folders end with "/". Hidden entries only when asked for with ".".
    static func paths(prefix: String) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let folderPart = slash.map { String(prefix[...$0]) } ?? ""
        let namePart = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        var folder = folderPart.isEmpty ? "." : folderPart
        if folder.hasPrefix("~") { folder = NSHomeDirectory() + folder.dropFirst() }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return entries.filter { $0.hasPrefix(namePart) && (namePart.hasPrefix(".") || !$0.hasPrefix(".")) }
            .map { name in
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                return folderPart + name + (isDirectory.boolValue ? "/" : "")
            }
            .sorted()
    }

    /// Module names reachable through the templates of `searchPath`
    /// (`./?.lua`, `/usr/share/lua/5.4/?/init.lua`, …), two folders deep.
    static func modules(searchPath: String, prefix: String) -> Set<String> {
        var found = Set<String>()
        for template in searchPath.split(separator: ";").map(String.init) {
            guard let mark = template.range(of: "?") else { continue }
            var root = String(template[..<mark.lowerBound])
            let suffix = String(template[mark.upperBound...])
            if root.isEmpty { root = "./" }
            guard root.hasSuffix("/") else { continue }
            collect(root: root, relative: "", suffix: suffix, depth: 0, prefix: prefix, into: &found)
        }
        return found
    }

    private static func collect(root: String, relative: String, suffix: String, depth: Int, prefix: String, into found: inout Set<String>) {
        guard depth < 3, found.count < 2000,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: root + relative)
        else { return }
        for entry in entries where !entry.hasPrefix(".") {
            let path = relative + entry
            let module = path.replacingOccurrences(of: "/", with: ".")
            if suffix.hasPrefix("/") {
                // `?/init.lua`: a folder holding the file
                if FileManager.default.fileExists(atPath: root + path + suffix) { found.insert(module) }
            } else if path.hasSuffix(suffix) {
                found.insert(String(module.dropLast(suffix.count)))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            // only descend where the module name could still match
            let common = min(module.count, prefix.count)
            guard module.prefix(common) == prefix.prefix(common) else { continue }
            collect(root: root, relative: path + "/", suffix: suffix, depth: depth + 1, prefix: prefix, into: &found)
        }
    }
}

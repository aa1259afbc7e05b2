#Requires -Version 7.4
# Compiles the platyPS-format markdown in docs/ into the help PowerShell reads (MAML XML for
# cmdlets, about_*.help.txt for about topics), because platyPS itself is not available to the build.
Set-StrictMode -Version Latest

# The namespaces platyPS's New-ExternalHelp declares on every command:command.
$script:Ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}
# Parameters PowerShell adds to every cmdlet: pages may document them or not.
$script:CommonParameters = @('Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction',
    'ProgressAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable',
    'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm')
# Parameter-set names platyPS uses for "every set".
$script:AllSets = @('(All)', '__AllParameterSets')

#region Markdown reading

# Splits a markdown file into front matter and a flat list of blocks (Heading, Code, Text);
# help pages only use these three, so a full CommonMark parser is not needed.
function Read-MarkdownBlock {
    param([Parameter(Mandatory)][string]$Path)
    $lines = (Get-Content -LiteralPath $Path -Raw -Encoding utf8) -replace "`r`n?", "`n" -split "`n"
    $front = @{}
    $i = 0
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $lines.Count -and $lines[$i].Trim() -ne '---'; $i++) {
            if ($lines[$i] -match '^\s*([^:#]+?)\s*:\s*(.*?)\s*$') { $front[$Matches[1]] = $Matches[2].Trim('''"') }
        }
        $i++
    }
    $blocks = [System.Collections.Generic.List[object]]::new()
    $text = [System.Collections.Generic.List[string]]::new()
    $flush = { if ($text.Count) { $blocks.Add([pscustomobject]@{ Kind = 'Text'; Lines = $text.ToArray() }); $text.Clear() } }
    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^\s{0,3}(```+|~~~+)\s*([\w.+-]*)') {
            . $flush
            $fence, $lang = $Matches[1], $Matches[2]
            $code = [System.Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch "^\s{0,3}$([regex]::Escape($fence))\s*$"; $i++) { $code.Add($lines[$i]) }
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Lang = $lang; Text = ($code -join "`n") })
        }
        elseif ($line -match '^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$') {
            . $flush
            $blocks.Add([pscustomobject]@{ Kind = 'Heading'; Level = $Matches[1].Length; Text = $Matches[2] })
        }
        elseif ($line.Trim() -eq '') { . $flush }
        else { $text.Add($line) }
    }
    . $flush
    [pscustomobject]@{ FrontMatter = $front; Blocks = $blocks }
}

# Groups blocks under the headings of one level: Title is the heading text ($null before the first).
function Split-BlockByHeading {
    param([object[]]$Blocks, [int]$Level)
    $current = [pscustomobject]@{ Title = $null; Blocks = [System.Collections.Generic.List[object]]::new() }
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Heading' -and $b.Level -eq $Level) {
            $current
            $current = [pscustomobject]@{ Title = $b.Text; Blocks = [System.Collections.Generic.List[object]]::new() }
        }
        else { $current.Blocks.Add($b) }
    }
    $current
}

# Help text is plain: drop emphasis and escapes, render links as "text (uri)" like platyPS does.
function ConvertFrom-InlineMarkdown {
    param([string]$Text)
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)\s]*)[^)]*\)', {
            param($m)
            $t, $u = $m.Groups[1].Value, $m.Groups[2].Value
            if ($u -match '^[a-z][a-z0-9+.-]*://' -and $u -ne $t) { "$t ($u)" } else { $t }
        })
    # Emphasis and backslash escapes do not apply inside `code` spans (e.g. ` \_ node`).
    -join ([regex]::Split($Text, '(`+[^`]*`+)') | ForEach-Object {
            if ($_.StartsWith('`')) { $_ }
            else { ($_ -replace '(\*\*|__)(?=\S)(.+?)(?<=\S)\1', '$2') -replace '\\([\\`*_{}\[\]()#+\-.!<>|])', '$1' }
        })
}

# Turns Text blocks into logical units: a paragraph (soft-wrapped lines joined in Text, kept in
# Lines), a list item (Marker kept), or a raw line (tables); Code blocks keep their line breaks.
function Get-TextUnit {
    param([object[]]$Blocks)
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Code') { [pscustomobject]@{ Kind = 'Code'; Marker = ''; Text = $b.Text }; continue }
        if ($b.Kind -ne 'Text') { continue }
        $unit = $null
        foreach ($line in $b.Lines) {
            if ($line -match '^\s*\|') {
                if ($unit) { $unit; $unit = $null }
                [pscustomobject]@{ Kind = 'Raw'; Marker = ''; Text = $line.Trim() }
            }
            elseif ($line -match '^\s*([-*+]|\d+[.)])\s+(.*)$') {
                if ($unit) { $unit }
                $unit = [pscustomobject]@{ Kind = 'Item'; Marker = $Matches[1]; Text = $Matches[2].Trim(); Lines = @() }
            }
            elseif ($unit) { $unit.Text += ' ' + $line.Trim(); $unit.Lines += $line.Trim() }
            else { $unit = [pscustomobject]@{ Kind = 'Para'; Marker = ''; Text = $line.Trim(); Lines = @($line.Trim()) } }
        }
        if ($unit) { $unit }
    }
}

# The strings that become maml:para elements: one per paragraph or code block; a list or table
# stays one para with line breaks, which Get-Help prints as-is (separate paras get blank lines).
function Get-HelpParagraph {
    param([object[]]$Blocks)
    $list = [System.Collections.Generic.List[string]]::new()
    foreach ($u in Get-TextUnit $Blocks) {
        if ($u.Kind -in 'Item', 'Raw') { $list.Add("$($u.Marker) $(ConvertFrom-InlineMarkdown $u.Text)".Trim()); continue }
        if ($list.Count) { $list -join "`n"; $list.Clear() }
        if ($u.Kind -eq 'Code') { $u.Text } else { ConvertFrom-InlineMarkdown $u.Text }
    }
    if ($list.Count) { $list -join "`n" }
}

# Reads the simple "Key: value" lines of a parameter's yaml block.
function ConvertFrom-ParameterYaml {
    param([string]$Text)
    $map = @{}
    foreach ($line in $Text -split "`n") {
        if ($line -match '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { $map[$Matches[1]] = $Matches[2] }
    }
    $split = { param($v) @(if ($v) { $v -split ',' | ForEach-Object Trim | Where-Object { $_ } }) }
    $type = if ($map['Type'] -in 'switch', 'SwitchParameter', 'System.Management.Automation.SwitchParameter') { 'SwitchParameter' } else { "$($map['Type'])" }
    [pscustomobject]@{
        Type     = $type
        Sets     = @(& $split $map['Parameter Sets'])
        Aliases  = @(& $split $map['Aliases'])
        Accepted = @(& $split $map['Accepted values'])
        Required = $map['Required'] -eq 'true'
        Position = if ($map['Position']) { $map['Position'] } else { 'Named' }
        Default  = if ($map['Default value']) { $map['Default value'] } else { 'None' }
        Pipeline = if ($map['Accept pipeline input']) { $map['Accept pipeline input'] } else { 'False' }
        Globbing = $map['Accept wildcard characters'] -eq 'true'
    }
}

# Parses one platyPS cmdlet page into a help model; returns $null for anything else
# (about topics, pages without schema 2.0.0, H1s that are not Verb-Noun).
function Read-CommandHelpPage {
    param([Parameter(Mandatory)][string]$Path)
    $doc = Read-MarkdownBlock -Path $Path
    $h1 = $doc.Blocks | Where-Object { $_.Kind -eq 'Heading' -and $_.Level -eq 1 } | Select-Object -First 1
    if ($doc.FrontMatter['schema'] -ne '2.0.0' -or -not $h1 -or $h1.Text -notmatch '^[A-Za-z]+-[A-Za-z0-9]+$') { return $null }
    $sections = @{}
    foreach ($s in Split-BlockByHeading $doc.Blocks 2) { if ($s.Title) { $sections[$s.Title.ToUpperInvariant()] = $s.Blocks } }
    $section = { param($n) if ($sections.ContainsKey($n)) { @($sections[$n]) } else { @() } }
    $sub = { param($n) @(Split-BlockByHeading (& $section $n) 3 | Where-Object Title) }

    $parameters = foreach ($p in & $sub 'PARAMETERS') {
        if ($p.Title -notmatch '^-(.+)$') { continue }   # CommonParameters and friends
        [pscustomobject]@{
            Name        = $Matches[1].Trim()
            Description = @(Get-HelpParagraph ($p.Blocks | Where-Object { $_.Kind -ne 'Code' -or $_.Lang -ne 'yaml' }))
            Entries     = @($p.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -eq 'yaml' } | ForEach-Object { ConvertFrom-ParameterYaml $_.Text })
        }
    }
    $examples = foreach ($e in & $sub 'EXAMPLES') {
        # Text before the first code block is an introduction; Get-Help has no slot for it, so it leads the remarks.
        $code, $intro, $remarks = @(), @(), @()
        foreach ($b in $e.Blocks) {
            if ($b.Kind -eq 'Code') { $code += $b.Text }
            elseif ($code.Count) { $remarks += $b }
            else { $intro += $b }
        }
        [pscustomobject]@{ Title = $e.Title; Code = ($code -join "`n`n"); Remarks = @(Get-HelpParagraph ($intro + $remarks)) }
    }
    $typeList = { param($n) foreach ($t in & $sub $n) { [pscustomobject]@{ Name = $t.Title; Description = @(Get-HelpParagraph $t.Blocks) } } }
    $links = [System.Collections.Generic.List[object]]::new()
    $online = $doc.FrontMatter['online version']
    $linkText = (& $section 'RELATED LINKS' | Where-Object Kind -EQ 'Text' | ForEach-Object Lines) -join "`n"
    foreach ($m in [regex]::Matches($linkText, '\[([^\]]+)\]\(([^)\s]*)[^)]*\)')) {
        $links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value })
    }
    # platyPS puts the front matter's online version first, which Get-Help -Online opens.
    if ($online -and ($links.Count -eq 0 -or $links[0].Uri -ne $online)) {
        $links.Insert(0, [pscustomobject]@{ Text = 'Online Version:'; Uri = $online })
    }
    [pscustomobject]@{
        Name        = $h1.Text
        Synopsis    = @(Get-HelpParagraph (& $section 'SYNOPSIS'))
        Description = @(Get-HelpParagraph (& $section 'DESCRIPTION'))
        SyntaxSets  = @(& $sub 'SYNTAX' | ForEach-Object { $_.Title -replace '\s*\(Default\)\s*$' } | Where-Object { $_ -notin $script:AllSets })
        Parameters  = @($parameters)
        Examples    = @($examples)
        Inputs      = @(& $typeList 'INPUTS')
        Outputs     = @(& $typeList 'OUTPUTS')
        Notes       = @(Get-HelpParagraph (& $section 'NOTES'))
        Links       = $links.ToArray()
    }
}
#endregion

#region MAML writing

# Writes <prefix:name attributes>content</prefix:name>; content is text, or a scriptblock that
# writes the children (it sees the caller's variables, so callers avoid the names used here).
function Write-Element {
    param([System.Xml.XmlWriter]$W, [string]$Name, $Content, [System.Collections.IDictionary]$Attributes)
    $prefix, $local = $Name -split ':', 2
    $W.WriteStartElement($prefix, $local, $script:Ns[$prefix])
    if ($Attributes) { foreach ($k in $Attributes.Keys) { $W.WriteAttributeString($k, [string]$Attributes[$k]) } }
    if ($Content -is [scriptblock]) { & $Content } elseif ($null -ne $Content) { $W.WriteString([string]$Content) }
    $W.WriteEndElement()
}

function Write-MamlPara {
    param([System.Xml.XmlWriter]$W, [string]$Name, [string[]]$Paragraphs)
    Write-Element $W $Name { foreach ($para in $Paragraphs) { Write-Element $W 'maml:para' $para } }
}

# One command:parameter, as platyPS writes it both in syntaxItems and in command:parameters.
function Write-MamlParameter {
    param([System.Xml.XmlWriter]$W, [object]$Parameter, [object]$Entry, [switch]$InSyntax)
    $isSwitch = $Entry.Type -eq 'SwitchParameter'
    $attributes = [ordered]@{
        required = "$($Entry.Required)".ToLowerInvariant(); variableLength = 'true'; globbing = "$($Entry.Globbing)".ToLowerInvariant()
        pipelineInput = $Entry.Pipeline; position = $Entry.Position.ToLowerInvariant()
        aliases = $(if ($Entry.Aliases.Count) { $Entry.Aliases -join ', ' } else { 'none' })
    }
    Write-Element $W 'command:parameter' -Attributes $attributes {
        Write-Element $W 'maml:name' $Parameter.Name
        Write-MamlPara $W 'maml:description' $Parameter.Description
        if ($InSyntax -and $Entry.Accepted.Count) {
            # Get-Help shows these as "-Format {Json | Table}".
            Write-Element $W 'command:parameterValueGroup' {
                foreach ($v in $Entry.Accepted) { Write-Element $W 'command:parameterValue' $v ([ordered]@{ required = 'false'; variableLength = 'false' }) }
            }
        }
        # In syntax a switch has no value, otherwise Get-Help would print "-Force <SwitchParameter>".
        if (-not ($InSyntax -and $isSwitch)) {
            Write-Element $W 'command:parameterValue' $Entry.Type ([ordered]@{ required = "$(-not $isSwitch)".ToLowerInvariant(); variableLength = 'false' })
        }
        Write-Element $W 'dev:type' { Write-Element $W 'maml:name' $Entry.Type; Write-Element $W 'maml:uri' }
        Write-Element $W 'dev:defaultValue' $(if ($isSwitch -and $Entry.Default -eq 'None') { 'False' } else { $Entry.Default })
    }
}

# Syntax comes from the PARAMETERS yaml (like platyPS): one syntaxItem per parameter set, in the
# order the SYNTAX headings list them, parameters ordered by position with named ones last.
function Get-MamlSyntaxItem {
    param([object]$Command)
    $documented = @($Command.Parameters | Where-Object { $_.Entries.Count })
    $sets = [System.Collections.Generic.List[string]]::new()
    foreach ($s in @($Command.SyntaxSets) + @($documented | ForEach-Object { $_.Entries.Sets })) {
        if ($s -and $s -notin $script:AllSets -and -not ($sets -contains $s)) { $sets.Add($s) }
    }
    if ($sets.Count -eq 0) { $sets.Add('') }
    foreach ($set in $sets) {
        $members = foreach ($p in $documented) {
            # An entry naming this set wins over an "(All)" entry; with no named sets every entry fits.
            $entry = @($p.Entries | Where-Object { $_.Sets -contains $set }) +
            @($p.Entries | Where-Object { $set -eq '' -or $_.Sets.Count -eq 0 -or ($_.Sets | Where-Object { $_ -in $script:AllSets }) }) | Select-Object -First 1
            if ($entry) { [pscustomobject]@{ Parameter = $p; Entry = $entry } }
        }
        , @($members | Sort-Object -Stable { if ($_.Entry.Position -match '^\d+$') { [int]$_.Entry.Position } else { [int]::MaxValue } })
    }
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter]$W, [object]$Command)
    $W.WriteStartElement('command', 'command', $script:Ns.command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') { $W.WriteAttributeString('xmlns', $prefix, $null, $script:Ns[$prefix]) }
    $verb, $noun = $Command.Name -split '-', 2
    Write-Element $W 'command:details' {
        Write-Element $W 'command:name' $Command.Name
        Write-Element $W 'command:verb' $verb
        Write-Element $W 'command:noun' $noun
        Write-MamlPara $W 'maml:description' $Command.Synopsis
    }
    Write-MamlPara $W 'maml:description' $Command.Description
    Write-Element $W 'command:syntax' {
        foreach ($item in Get-MamlSyntaxItem $Command) {
            Write-Element $W 'command:syntaxItem' {
                Write-Element $W 'maml:name' $Command.Name
                foreach ($m in $item) { Write-MamlParameter $W $m.Parameter $m.Entry -InSyntax }
            }
        }
    }
    Write-Element $W 'command:parameters' {
        foreach ($p in $Command.Parameters) {
            Write-MamlParameter $W $p $(if ($p.Entries.Count) { $p.Entries[0] } else { ConvertFrom-ParameterYaml '' })
        }
    }
    foreach ($kind in @(@('inputTypes', 'inputType', $Command.Inputs), @('returnValues', 'returnValue', $Command.Outputs))) {
        Write-Element $W "command:$($kind[0])" {
            foreach ($t in $kind[2]) {
                Write-Element $W "command:$($kind[1])" {
                    Write-Element $W 'dev:type' { Write-Element $W 'maml:name' $t.Name }
                    Write-MamlPara $W 'maml:description' $t.Description
                }
            }
        }
    }
    Write-Element $W 'maml:alertSet' { Write-MamlPara $W 'maml:alert' $Command.Notes }
    Write-Element $W 'command:examples' {
        foreach ($e in $Command.Examples) {
            Write-Element $W 'command:example' {
                # Same dash padding as platyPS, so titles stand out in Get-Help -Examples.
                $pad = '-' * [math]::Max(0, [int][math]::Floor((62 - $e.Title.Length) / 2))
                Write-Element $W 'maml:title' ("$pad $($e.Title) $pad".Trim())
                Write-Element $W 'dev:code' $e.Code
                Write-MamlPara $W 'dev:remarks' $e.Remarks
            }
        }
    }
    Write-Element $W 'command:relatedLinks' {
        foreach ($l in $Command.Links) {
            Write-Element $W 'maml:navigationLink' {
                Write-Element $W 'maml:linkText' $l.Text
                # Relative links (other .md pages) mean nothing to Get-Help: keep the text, drop the uri.
                Write-Element $W 'maml:uri' $(if ([uri]::IsWellFormedUriString($l.Uri, [UriKind]::Absolute)) { $l.Uri } else { $null })
            }
        }
    }
    $W.WriteEndElement()
}

function ConvertTo-BuildxMaml {
    # .SYNOPSIS
    # Compiles every platyPS cmdlet page in DocsPath into one MAML file (<Assembly>.dll-Help.xml).
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param([Parameter(Mandatory)][string]$DocsPath, [Parameter(Mandatory)][string]$OutputPath)
    $commands = foreach ($file in Get-ChildItem -LiteralPath $DocsPath -Filter *.md -File | Where-Object Name -NotLike 'about_*' | Sort-Object Name) {
        $model = Read-CommandHelpPage -Path $file.FullName
        if ($model) { $model } else { Write-Verbose "Skipping $($file.Name): not a platyPS cmdlet page." }
    }
    $OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath)
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $w = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    try {
        $w.WriteStartElement('helpItems', 'http://msh')   # Get-Help requires this default namespace
        $w.WriteAttributeString('schema', 'maml')
        foreach ($c in $commands) { Write-MamlCommand $w $c }
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }
    Get-Item -LiteralPath $OutputPath
}
#endregion

#region About topics

# Word-wraps text to 80 columns (a longer word keeps its own line); later lines get the hanging
# indent, which callers keep as long as the first line's indent.
function Format-WrappedText {
    param([string]$Text, [string]$Indent, [string]$Hanging = $Indent, [int]$Width = 80)
    $pattern = "(.{1,$($Width - $Indent.Length)})(?: |$)|(\S+)(?: |$)"
    $lines = @([regex]::Matches(($Text -replace '\s+', ' ').Trim(), $pattern) | ForEach-Object { $_.Value.TrimEnd() })
    for ($i = 0; $i -lt $lines.Count; $i++) { $(if ($i) { $Hanging } else { $Indent }) + $lines[$i] }
}

function ConvertTo-BuildxAboutHelp {
    # .SYNOPSIS
    # Converts each about_*.md in DocsPath to an about_*.help.txt in OutputPath.
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param([Parameter(Mandatory)][string]$DocsPath, [Parameter(Mandatory)][string]$OutputPath)
    $null = New-Item -ItemType Directory -Force -Path $OutputPath
    foreach ($file in Get-ChildItem -LiteralPath $DocsPath -Filter 'about_*.md' -File) {
        $topic = $file.BaseName
        $out = [System.Collections.Generic.List[string]]::new()
        $out.Add('TOPIC'); $out.Add("    $topic")
        $prev = 'Heading'
        foreach ($b in (Read-MarkdownBlock -Path $file.FullName).Blocks) {
            if ($b.Kind -eq 'Heading') {
                if ($b.Text -eq $topic) { continue }   # the H1 (and platyPS's repeated H2) is the TOPIC
                $out.Add('')
                $out.Add($(if ($b.Level -le 2) { '' } else { '  ' }) + (ConvertFrom-InlineMarkdown $b.Text).ToUpperInvariant())
                $prev = 'Heading'
                continue
            }
            foreach ($u in Get-TextUnit @($b)) {
                # Blank line between units, except right under a heading and inside one list or table.
                if ($prev -ne 'Heading' -and -not ($u.Kind -eq $prev -and $u.Kind -in 'Item', 'Raw')) { $out.Add('') }
                $prev = $u.Kind
                switch ($u.Kind) {
                    'Code' { $out.AddRange([string[]]@($u.Text -split "`n" | ForEach-Object { "        $_".TrimEnd() })) }
                    'Raw' { $out.Add("    $($u.Text)") }
                    'Item' { $out.AddRange([string[]]@(Format-WrappedText (ConvertFrom-InlineMarkdown $u.Text) "    $($u.Marker) " (' ' * (5 + $u.Marker.Length)))) }
                    default {
                        # Like platyPS, keep the author's line breaks when every line fits; reflow otherwise.
                        $lines = @($u.Lines | ForEach-Object { ConvertFrom-InlineMarkdown $_ })
                        if (-not ($lines | Where-Object Length -GT 76)) { $out.AddRange([string[]]@($lines | ForEach-Object { "    $_" })) }
                        else { $out.AddRange([string[]]@(Format-WrappedText (ConvertFrom-InlineMarkdown $u.Text) '    ')) }
                    }
                }
            }
        }
        $target = Join-Path $OutputPath "$topic.help.txt"
        Set-Content -LiteralPath $target -Value (($out -join "`n") + "`n") -NoNewline -Encoding utf8NoBOM
        Get-Item -LiteralPath $target
    }
}
#endregion

#region Page checks

function Test-BuildxHelpPage {
    # .SYNOPSIS
    # Lists what is missing or wrong in a cmdlet's help page; no output means complete.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][System.Management.Automation.CommandInfo]$Command)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return "$($Command.Name): help page '$Path' does not exist." }
    $page = Read-CommandHelpPage -Path $Path
    if (-not $page) { return "$($Command.Name): '$Path' is not a platyPS page (needs 'schema: 2.0.0' front matter and a '# Verb-Noun' title)." }
    # platyPS templates leave {{ Fill ... }} placeholders; they count as empty.
    $isEmpty = { param($paras) -not ($paras | Where-Object { $_ -and $_.Trim() -and $_ -notmatch '^\s*\{\{.*\}\}\s*$' }) }
    if ($page.Name -ne $Command.Name) { "$($Command.Name): page title is '$($page.Name)'." }
    if (& $isEmpty $page.Synopsis) { "$($Command.Name): SYNOPSIS is missing or empty." }
    if (& $isEmpty $page.Description) { "$($Command.Name): DESCRIPTION is missing or empty." }
    if (-not ($page.Examples | Where-Object { $_.Code.Trim() })) { "$($Command.Name): no example with a code block." }
    $documented = @{}
    foreach ($p in $page.Parameters) { $documented[$p.Name] = $p }
    foreach ($name in $Command.Parameters.Keys) {
        if ($name -in $script:CommonParameters) { continue }
        if (-not $documented.ContainsKey($name)) { "$($Command.Name): parameter -$name is not documented." }
        elseif (& $isEmpty $documented[$name].Description) { "$($Command.Name): parameter -$name has no description." }
    }
    foreach ($name in $documented.Keys) {
        if (-not $Command.Parameters.ContainsKey($name)) { "$($Command.Name): documented parameter -$name does not exist on the command." }
    }
}
#endregion

Export-ModuleMember -Function ConvertTo-BuildxMaml, ConvertTo-BuildxAboutHelp, Test-BuildxHelpPage

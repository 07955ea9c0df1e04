/**
 * The ways out of an artifact that no browser mechanism closes, closed by a script that runs in the
 * artifact's document before any of its code.
 *
 * WebRTC: ICE sends STUN packets to any host it is given, and Chromium has no policy for it (150 drops
 * a CSP `webrtc` directive as unrecognized; no Permissions-Policy feature covers it). The artifact's
 * own constructors go, but a nested frame brings a fresh window with fresh ones. The browser already
 * closes most of that: a nested frame of a sandboxed document gets a new opaque origin, so the artifact
 * cannot reach into its window, and the inherited CSP blocks data:, blob: and every other URL. What is
 * left is a srcdoc frame running its own script, so every nested frame is removed before its document
 * can commit: a MutationObserver's records arrive before the next task, and a frame commits in a task.
 *
 * Nothing the artifact can redefine may stand between it and the network, so every function, getter
 * and option object the script uses is taken before the artifact runs and called through
 * Reflect.apply, and the observer must see every tree a frame can be put in: the document, and every
 * shadow root, which is why shadow roots come only from attachShadow here (which observes each one
 * and makes it unclonable: a clone's closed root would come from nowhere) and never from markup: a
 * declarative shadow root is made by the parser, unseen, so `shadowrootmode` is taken out of the
 * source and out of everything given to the parser later (document.write, setHTMLUnsafe, ...), and
 * XSLT, whose output can name the attribute only while it runs, is not there at all.
 */

/**
 * The markup with every `shadowrootmode` (any case) renamed to `shadowrootmod_`, so that no template
 * in it becomes a declarative shadow root. Attribute names are never decoded (no character
 * references), so this finds every spelling the parser accepts. The same length, so that error
 * columns stay the model's, and still an identifier, so that JS mentioning `shadowRootMode` parses.
 */
export function withoutDeclarativeShadowRoots(html: string): string {
  return html.replace(/(shadowrootmod)e/gi, '$1_');
}

/**
 * The script, on one line (it shares the line of the model's doctype, so that error lines stay the
 * model's). It also stops link activation: inside the app, following a link would replace the
 * artifact with an error page (the app forbids frame navigation), after Chromium opened a TCP
 * connection (and a DNS lookup) for it, which can carry data out. Every click that would follow a
 * link is cancelled before dispatch reaches the link: at the window for the document, and in
 * HTMLElement#click and EventTarget#dispatchEvent for what never reaches the window. Not closed by
 * any script: the artifact navigating itself (Location is unforgeable; a meta refresh; and the
 * Navigation API's navigate event does not fire in an opaque-origin document), and a nested frame's
 * src, both of which still open a connection before frame-src refuses them.
 */
export function hardeningScript(): string {
  const src = [
    '(function(){',
    // Taken now, before any artifact code: afterwards only these references are used.
    'var O=Object,apply=Reflect.apply,gopd=O.getOwnPropertyDescriptor,defp=O.defineProperty,create=O.create;',
    'var Str=String,EP=Element.prototype,DP=Document.prototype,SP=ShadowRoot.prototype;',
    'function getter(p,k){return gopd(p,k).get;}',
    'var nodeType=getter(Node.prototype,"nodeType"),remove=EP.remove,matches=EP.matches;',
    'var qsa=EP.querySelectorAll,fqsa=DocumentFragment.prototype.querySelectorAll,len=getter(NodeList.prototype,"length");',
    'var added=getter(MutationRecord.prototype,"addedNodes"),observe=MutationObserver.prototype.observe,attach=EP.attachShadow;',
    'var WM=WeakMap,wmGet=WM.prototype.get,wmSet=WM.prototype.set,HOSTOF=new WM(),ROOTOF=new WM(),clickF=HTMLElement.prototype.click;',
    'var exec=RegExp.prototype.exec,slice=String.prototype.slice,code=String.prototype.charCodeAt,warn=console.warn,con=console;',
    'function fixed(k,f){try{defp(window,k,{value:f,writable:false,configurable:false});}catch(e){}}',
    // WebRTC in this window.
    'function off(){throw new Error("WebRTC is disabled in artifacts: they run offline.");}',
    'fixed("RTCPeerConnection",off);fixed("webkitRTCPeerConnection",off);',
    // XSLT builds its output document with a parser that makes declarative shadow roots, from
    // attribute names computed while transforming, which no renaming can reach. Deprecated anyway.
    'fixed("XSLTProcessor",function XSLTProcessor(){throw new Error("XSLT is disabled in artifacts.");});',
    // Nested frames: removed wherever they are put, before the next task. object and embed too,
    // which could hold a document if the CSP ever let them load one.
    'var FRAMES="iframe,frame,object,embed,fencedframe",found=false,warned=false;',
    // No prototype: observe() reads every option, and inherited ones (characterData: false with
    // characterDataOldValue: true) would make it throw.
    'var OPTS=create(null);OPTS.childList=true;OPTS.subtree=true;',
    'function drop(n){apply(remove,n,[]);found=true;}',
    'function scrub(n){var t=apply(nodeType,n,[]),list;',
    'if(t===1){if(apply(matches,n,[FRAMES]))return drop(n);list=apply(qsa,n,[FRAMES]);}',
    'else if(t===11)list=apply(fqsa,n,[FRAMES]);else return;',
    'for(var i=0,k=apply(len,list,[]);i<k;i++)drop(list[i]);}',
    'var mo=new MutationObserver(function(rs){for(var i=0;i<rs.length;i++){var ns=apply(added,rs[i],[]);',
    'for(var j=0,k=apply(len,ns,[]);j<k;j++)try{scrub(ns[j]);}catch(e){}}',
    // Told after every frame is gone, and a console.warn the artifact replaced cannot stop that.
    'if(found&&!warned){warned=true;try{apply(warn,con,["Nested frames are disabled in artifacts."]);}catch(e){}}});',
    'function watch(root){apply(observe,mo,[root,OPTS]);}',
    'watch(document);',
    'var INIT=["mode","delegatesFocus","slotAssignment","serializable","customElementRegistry","referenceTarget"];',
    'EP.attachShadow=function attachShadow(init){var o=create(null);',
    'for(var i=0;i<INIT.length;i++){var v=init[INIT[i]];if(v!==undefined)o[INIT[i]]=v;}',
    'o.clonable=false;var root=apply(attach,this,[o]);watch(root);apply(wmSet,HOSTOF,[root,this]);apply(wmSet,ROOTOF,[this,root]);return root;};',
    // Declarative shadow roots: the attribute renamed in whatever reaches the parser. A write that
    // ends in what could begin the name gets a space, so that the page's text after the script (or
    // the next write) cannot complete it.
    'var WORD=/shadowrootmode/gi,W="shadowrootmode";',
    'function neuter(s){var out="",from=0,m;WORD.lastIndex=0;',
    'while((m=apply(exec,WORD,[s]))!==null){from=m.index+W.length;out+=apply(slice,s,[out.length,from-1])+"_";}',
    'return from?out+apply(slice,s,[from]):s;}',
    'function opens(s){for(var k=W.length-1;k>0;k--){if(k>s.length)continue;',
    'for(var j=0;j<k&&(apply(code,s,[s.length-k+j])|32)===apply(code,W,[j]);j++);if(j===k)return true;}return false;}',
    'function writer(f){return function(){var s="";for(var i=0;i<arguments.length;i++)s+=Str(arguments[i]);',
    's=neuter(s);if(opens(s))s+=" ";return apply(f,this,[s]);};}',
    'function parser(o,k){if(o[k])o[k]=(function(f){return function(html){',
    'return apply(f,this,[neuter(Str(html)),arguments[1]]);};})(o[k]);}',
    'DP.write=writer(DP.write);DP.writeln=writer(DP.writeln);',
    'parser(EP,"setHTMLUnsafe");parser(SP,"setHTMLUnsafe");parser(EP,"setHTML");parser(SP,"setHTML");',
    'parser(Document,"parseHTMLUnsafe");parser(Document,"parseHTML");',
    // Links. Chromium opens a connection for a link's navigation before the app's frame-src refuses
    // it, so every click that would activate one is cancelled before dispatch reaches it: at the
    // window (our listener is the first there, and sees every event of the document), and, for what
    // never reaches the window (a detached link, a closed shadow root's inside, an uncomposed event),
    // in click() and dispatchEvent themselves. Everything is called through references taken above.
    'var XL="http://www.w3.org/1999/xlink",getA=EP.getAttribute,getANS=EP.getAttributeNS,qs=DocumentFragment.prototype.querySelectorAll;',
    'var lname=getter(EP,"localName"),parent=getter(Node.prototype,"parentNode"),etype=getter(Event.prototype,"type");',
    'var cancelable=getter(Event.prototype,"cancelable"),cancel=Event.prototype.preventDefault,cpath=Event.prototype.composedPath;',
    'var on=EventTarget.prototype.addEventListener,dispatch=EventTarget.prototype.dispatchEvent,ME=MouseEvent,later=setTimeout,loc=location;',
    'var JS=/^[\\s\\u0000-\\u001f]*javascript:/i;',
    // The link an element is (HTML a or area, SVG a), or null.
    'function href(n){try{if(apply(nodeType,n,[])!==1)return null;var l=apply(lname,n,[]);if(l!=="a"&&l!=="area")return null;',
    'var h=apply(getA,n,["href"]);return h!==null?h:apply(getANS,n,[XL,"href"]);}catch(e){return null;}}',
    // The link at or above a node in the flat tree (a shadow root leads to its host), or null.
    'function above(n){for(var d=0;n&&d<4096;d++){var h=href(n);if(h!==null)return h;',
    'var host=apply(wmGet,HOSTOF,[n]);if(host){n=host;continue;}try{n=apply(parent,n,[]);}catch(e){return null;}}return null;}',
    // Whether a closed root (or one inside it) holds a link: a click on its host may be on it.
    'function holds(root,d){var all=apply(qs,root,["*"]);for(var i=0,k=apply(len,all,[]);i<k;i++){var n=all[i];',
    'if(href(n)!==null)return true;var r=apply(wmGet,ROOTOF,[n]);if(r&&d<32&&holds(r,d+1))return true;}return false;}',
    'function isLink(t){return t==="click"||t==="auxclick";}',
    // Cancelled: the link is not followed. A fragment link still moves, with the href it had before
    // dispatch (a listener may change it). javascript: links never ran in the sandboxed frame.
    'function refuse(h){if(h===null)return;if(apply(exec,JS,[h])!==null)return;',
    'if(apply(code,h,[0])===35){if(h.length>1)later(function(){loc.hash=apply(slice,h,[1]);},0);return;}',
    'try{apply(warn,con,["Links do not open from artifacts: "+h]);}catch(e){}}',
    'apply(on,window,["click",guard,true]);apply(on,window,["auxclick",guard,true]);',
    'function guard(e){var p=apply(cpath,e,[]),h=null,inShadow=false;',
    'for(var i=0;i<p.length&&h===null;i++){h=href(p[i]);var r=apply(wmGet,ROOTOF,[p[i]]);if(r&&holds(r,0))inShadow=true;}',
    'if(h===null&&!inShadow)return;apply(cancel,e,[]);refuse(h===null?"a link in a closed shadow root":h);}',
    'function cancelled(type){var o=create(null);o.bubbles=true;o.cancelable=true;o.composed=true;',
    'var e=new ME(type,o);apply(cancel,e,[]);return e;}',
    'HTMLElement.prototype.click=function click(){var h=above(this);if(h===null)return apply(clickF,this,[]);',
    'apply(dispatch,this,[cancelled("click")]);refuse(h);};',
    'EventTarget.prototype.dispatchEvent=function dispatchEvent(e){var h=isLink(apply(etype,e,[]))?above(this):null;',
    'if(h===null)return apply(dispatch,this,[e]);',
    // An event made not cancelable would follow the link whatever a listener does: it is not sent.
    'if(!apply(cancelable,e,[])){refuse(h);return true;}apply(cancel,e,[]);var r=apply(dispatch,this,[e]);refuse(h);return r;};',
    '})();',
  ].join('');
  return `<script>${src}</script>`;
}

/**
* @license
* Copyright 2019 Google LLC
* SPDX-License-Identifier: Apache-2.0
*/
const e=Symbol(`Comlink.proxy`),t=Symbol(`Comlink.endpoint`),n=Symbol(`Comlink.releaseProxy`),r=Symbol(`Comlink.finalizer`),i=Symbol(`Comlink.thrown`),a=e=>typeof e==`object`&&!!e||typeof e==`function`,o=/* @__PURE__ */ new Map([[`proxy`,{canHandle:t=>a(t)&&t[e],serialize(e){let{port1:t,port2:n}=new MessageChannel;return c(e,t),[n,[n]]},deserialize(e){return e.start(),d(e)}}],[`throw`,{canHandle:e=>a(e)&&i in e,serialize({value:e}){let t;return t=e instanceof Error?{isError:!0,value:{message:e.message,name:e.name,stack:e.stack}}:{isError:!1,value:e},[t,[]]},deserialize(e){throw e.isError?Object.assign(Error(e.value.message),e.value):e.value}}]]);function s(e,t){for(let n of e)if(t===n||n===`*`||n instanceof RegExp&&n.test(t))return!0;return!1}function c(e,t=globalThis,n=[`*`]){t.addEventListener(`message`,function a(o){if(!o||!o.data)return;if(!s(n,o.origin)){console.warn(`Invalid origin '${o.origin}' for comlink proxy`);return}let{id:l,type:d,path:f}=Object.assign({path:[]},o.data),p=(o.data.argumentList||[]).map(C),m;try{let t=f.slice(0,-1).reduce((e,t)=>e[t],e),n=f.reduce((e,t)=>e[t],e);switch(d){case`GET`:m=n;break;case`SET`:t[f.slice(-1)[0]]=C(o.data.value),m=!0;break;case`APPLY`:m=n.apply(t,p);break;case`CONSTRUCT`:m=te(new n(...p));break;case`ENDPOINT`:{let{port1:t,port2:n}=new MessageChannel;c(e,n),m=x(t,[t])}break;case`RELEASE`:m=void 0;break;default:return}}catch(e){m={value:e,[i]:0}}Promise.resolve(m).catch(e=>({value:e,[i]:0})).then(n=>{let[i,o]=S(n);t.postMessage(Object.assign(Object.assign({},i),{id:l}),o),d===`RELEASE`&&(t.removeEventListener(`message`,a),u(t),r in e&&typeof e[r]==`function`&&e[r]())}).catch(e=>{let[n,r]=S({value:/* @__PURE__ */ TypeError(`Unserializable return value`),[i]:0});t.postMessage(Object.assign(Object.assign({},n),{id:l}),r)})}),t.start&&t.start()}function l(e){return e.constructor.name===`MessagePort`}function u(e){l(e)&&e.close()}function d(e,t){let n=/* @__PURE__ */ new Map;return e.addEventListener(`message`,function(e){let{data:t}=e;if(!t||!t.id)return;let r=n.get(t.id);if(r)try{r(t)}finally{n.delete(t.id)}}),v(e,n,[],t)}function f(e){if(e)throw Error(`Proxy has been released and is not useable`)}function p(e){return w(e,/* @__PURE__ */ new Map,{type:`RELEASE`}).then(()=>{u(e)})}const m=/* @__PURE__ */ new WeakMap,h=`FinalizationRegistry`in globalThis&&new FinalizationRegistry(e=>{let t=(m.get(e)||0)-1;m.set(e,t),t===0&&p(e)});function g(e,t){let n=(m.get(t)||0)+1;m.set(t,n),h&&h.register(e,t,e)}function _(e){h&&h.unregister(e)}function v(e,r,i=[],a=function(){}){let o=!1,s=new Proxy(a,{get(t,a){if(f(o),a===n)return()=>{_(s),p(e),r.clear(),o=!0};if(a===`then`){if(i.length===0)return{then:()=>s};let t=w(e,r,{type:`GET`,path:i.map(e=>e.toString())}).then(C);return t.then.bind(t)}return v(e,r,[...i,a])},set(t,n,a){f(o);let[s,c]=S(a);return w(e,r,{type:`SET`,path:[...i,n].map(e=>e.toString()),value:s},c).then(C)},apply(n,a,s){f(o);let c=i[i.length-1];if(c===t)return w(e,r,{type:`ENDPOINT`}).then(C);if(c===`bind`)return v(e,r,i.slice(0,-1));let[l,u]=y(s);return w(e,r,{type:`APPLY`,path:i.map(e=>e.toString()),argumentList:l},u).then(C)},construct(t,n){f(o);let[a,s]=y(n);return w(e,r,{type:`CONSTRUCT`,path:i.map(e=>e.toString()),argumentList:a},s).then(C)}});return g(s,e),s}function ee(e){return Array.prototype.concat.apply([],e)}function y(e){let t=e.map(S);return[t.map(e=>e[0]),ee(t.map(e=>e[1]))]}const b=/* @__PURE__ */ new WeakMap;function x(e,t){return b.set(e,t),e}function te(t){return Object.assign(t,{[e]:!0})}function S(e){for(let[t,n]of o)if(n.canHandle(e)){let[r,i]=n.serialize(e);return[{type:`HANDLER`,name:t,value:r},i]}return[{type:`RAW`,value:e},b.get(e)||[]]}function C(e){switch(e.type){case`HANDLER`:return o.get(e.name).deserialize(e.value);case`RAW`:return e.value}}function w(e,t,n,r){return new Promise(i=>{let a=ne();t.set(a,i),e.start&&e.start(),e.postMessage(Object.assign({id:a},n),r)})}function ne(){return[,,,,].fill(0).map(()=>Math.floor(Math.random()*(2**53-1)).toString(16)).join(`-`)}function T(e){return new Promise((t,n)=>{e.oncomplete=e.onsuccess=()=>t(e.result),e.onabort=e.onerror=()=>n(e.error)})}function E(e,t){let n,r=()=>{if(n)return n;let r=indexedDB.open(e);return r.onupgradeneeded=()=>r.result.createObjectStore(t),n=T(r),n.then(e=>{e.onclose=()=>n=void 0},()=>{n=void 0}),n};return(e,n)=>r().then(r=>n(r.transaction(t,e).objectStore(t)))}let re;function D(){return re||=E(`keyval-store`,`keyval`),re}function ie(e,t=D()){return t(`readonly`,t=>T(t.get(e)))}function ae(e,t,n=D()){return n(`readwrite`,n=>(n.put(t,e),T(n.transaction)))}function oe(e,t=D()){return t(`readwrite`,t=>(t.delete(e),T(t.transaction)))}function se(e,t=D()){return t(`readwrite`,t=>(e.forEach(e=>t.delete(e)),T(t.transaction)))}function ce(e,t){return e.openCursor().onsuccess=function(){this.result&&(t(this.result),this.result.continue())},T(e.transaction)}function le(e=D()){return e(`readonly`,e=>{if(e.getAll&&e.getAllKeys)return Promise.all([T(e.getAllKeys()),T(e.getAll())]).then(([e,t])=>e.map((e,n)=>[e,t[n]]));let t=[];return ce(e,e=>t.push([e.key,e.value])).then(()=>t)})}function ue(e,t,n){return[e,`d`,t,n]}function de(e,t,n){return[e,`x`,t,n]}function O(e){return IDBKeyRange.bound([e],[e,[]])}function k(e){return e.join(`/`)}let A,fe;function j(){return A??=E(`lite-coder-catalog`,`manifests`),A}function M(){return fe??=E(`lite-coder-records`,`records`),fe}function N(e){return ie(e,j())}function P(e){return ae(e.id,e,j())}async function F(){return(await le(j())).map(([,e])=>e)}function I(e){return ie(e,M())}function pe(e,t){return ae(e,t,M())}function L(e){return M()(`readonly`,t=>T(t.getAllKeys(O(e))))}function me(e){return se(e,M())}async function he(e){await oe(e,j()),await ge(O(e))}function ge(e){return M()(`readwrite`,t=>(t.delete(e),T(t.transaction)))}async function _e(e){let t=await M()(`readonly`,e=>T(e.getAllKeys())),n=new Set(t.map(e=>e[0]).filter(t=>!e.has(t)));for(let e of n)await ge(O(e))}const ve=1036e7,ye=11433741824,be=[`swiftshader`,`llvmpipe`,`lavapipe`,`software`];function xe(e){for(let t of[e.architecture,e.description,e.vendor]){let e=t.toLowerCase();if(be.some(t=>e.includes(t)))return t}return e.isFallbackAdapter?`a fallback adapter`:null}function R(e){let t=Math.abs(e);return t>=1e9?`${(e/1e9).toFixed(2)} GB`:t>=1e6?`${(e/1e6).toFixed(1)} MB`:t>=1e3?`${(e/1e3).toFixed(1)} kB`:`${e} bytes`}const Se=e=>`${e.toLocaleString(`en-US`)} bytes`,Ce={resident:0,paged:1,"cannot-run":2},we=(e,t)=>Ce[e]>=Ce[t]?e:t;function Te(e){let t=[],n=`resident`,r=e=>{t.push(e),n=`cannot-run`};if(!e.webgpu)r(`This browser does not offer WebGPU, which Lite Coder needs to run the model on the GPU.`);else if(!e.adapter)r(`WebGPU is present but the browser gave no GPU adapter: the GPU may be blocklisted or WebGPU turned off.`);else{let t=xe(e.adapter);t&&r(`The GPU adapter is a software renderer (${t}) that runs on the CPU: DeepSeek-Coder-V2-Lite would take minutes per token on it.`)}if(e.maxStorageBufferBindingSize!==null&&e.maxStorageBufferBindingSize<172032e3&&r(`The GPU binds at most ${Se(e.maxStorageBufferBindingSize)} in one storage buffer, but the model's largest tensor (the output head, 102400 x 2048 weights at Q6_K) is ${Se(172032e3)}.`),e.storageFree===null)t.push(`The browser did not say how much storage is free, so it is unknown whether the ${R(ve)} model fits.`);else if(e.storageFree<1036e7){let n=`Only ${R(e.storageFree)} of browser storage is free, ${R(ve-e.storageFree)} short of the ${R(ve)} the model takes`;e.modelAlreadyStored?t.push(`${n}; that is fine, because the model is already stored.`):r(`${n}, so it cannot be imported.`)}return n=we(n,Ee(e.gpuMemory,t,n===`cannot-run`)),{verdict:n,reasons:t}}function Ee(e,t,n){switch(e.kind){case`skipped`:return n||t.push(`GPU memory was not measured, so there is no evidence the model fits on the GPU.`),`cannot-run`;case`failed`:return t.push(`The GPU could not be opened to measure its memory (${e.error}), so the model cannot run on it.`),`cannot-run`;case`measured`:{let n=R(e.bytes);if(e.bytes>=11433741824)return t.push(`The GPU accepted ${n} of buffers, enough for all ${R(ve)} of weights plus ${R(1073741824)} of working room: all experts can stay on the GPU.`),`resident`;let r=e.hitLimit?` before running out of memory`:``;return e.bytes>=1800470912?(t.push(`The GPU accepted ${n} of buffers${r}, less than the ${R(ye)} needed to keep every weight on it, but enough for the ${R(12e8)} of non-expert weights, a ${R(636e5)} expert cache and working room: experts will be paged from storage.`),`paged`):(t.push(`The GPU accepted only ${n} of buffers${r}; even paging experts from storage needs ${R(1800470912)}.`),`cannot-run`)}}}async function De(){let[e,t,n]=await Promise.all([ke(),Ne(),Oe()]),r=Te({webgpu:e.webgpu,adapter:e.adapter,maxStorageBufferBindingSize:e.limits?.maxStorageBufferBindingSize??null,storageFree:t.free,gpuMemory:e.gpuMemory,modelAlreadyStored:n});return{...e,storage:t,verdict:r}}async function Oe(){return(await F()).some(e=>e.state===`ready`&&e.hparams.nEmbd===2048&&e.hparams.nExpert===64)}async function ke(){let e={adapter:null,limits:null,features:null,gpuMemory:{kind:`skipped`,reason:`no-adapter`}};if(!navigator.gpu)return{webgpu:!1,adapterError:null,...e};let t;try{t=await navigator.gpu.requestAdapter({powerPreference:`high-performance`})}catch(t){return{webgpu:!0,adapterError:Pe(t),...e}}if(!t)return{webgpu:!0,adapterError:null,...e};let n=Ae(t);return{webgpu:!0,adapterError:null,adapter:n,limits:{maxBufferSize:t.limits.maxBufferSize,maxStorageBufferBindingSize:t.limits.maxStorageBufferBindingSize},features:{shaderF16:t.features.has(`shader-f16`),subgroups:t.features.has(`subgroups`)},gpuMemory:n.software?{kind:`skipped`,reason:`software-adapter`}:await je(t)}}function Ae(e){let t=e.info??{},n=`isFallbackAdapter`in e&&e.isFallbackAdapter===!0,r={vendor:t.vendor??``,architecture:t.architecture??``,device:t.device??``,description:t.description??``,isFallbackAdapter:t.isFallbackAdapter===!0||n};return{...r,software:xe(r)!==null}}async function je(e){let t=Math.min(268435456,e.limits.maxBufferSize),n;try{n=await e.requestDevice({requiredLimits:{maxBufferSize:t},label:`lite-coder memory probe`})}catch(e){return{kind:`failed`,error:Pe(e)}}let r=!1;n.lost.then(()=>{r=!0});let i=[],a=0,o=!1;try{for(;a<ye;){if(!await Me(n,t,i)||r){o=!0;break}a+=t}}finally{for(let e of i)e.destroy();n.destroy()}return{kind:`measured`,bytes:a,target:ye,hitLimit:o}}async function Me(e,t,n){e.pushErrorScope(`out-of-memory`);let r=e.createBuffer({size:t,usage:GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_DST});n.push(r);let i=e.createCommandEncoder();i.clearBuffer(r),e.queue.submit([i.finish()]);try{let t=await e.popErrorScope();return await e.queue.onSubmittedWorkDone(),t===null}catch{return!1}}async function Ne(){let e={estimated:!1,quota:null,usage:null,free:null,persisted:null},t=navigator.storage;if(!t)return e;try{let{quota:n,usage:r}=await t.estimate();n!==void 0&&(e.estimated=!0,e.quota=n,e.usage=r??0,e.free=Math.max(0,n-e.usage))}catch{}try{e.persisted=await t.persisted()}catch{e.persisted=null}return e}function Pe(e){return e instanceof Error?e.message:String(e)}async function Fe(e){let t=new Uint8Array(await crypto.subtle.digest(`SHA-256`,e));return Array.from(t,e=>e.toString(16).padStart(2,`0`)).join(``)}async function Ie(){let e=await F();return await _e(new Set(e.map(e=>e.id))),(await Promise.all(e.map(Le))).sort((e,t)=>e.name.localeCompare(t.name))}async function Le(e){let t=e.storedBytes;if(e.state!==`ready`){let n=new Set((await L(e.id)).map(k));t=e.records.filter(e=>n.has(k(e.key))).reduce((e,t)=>e+t.bytes,0)}return{id:e.id,name:e.name,state:e.state,fileType:e.fileType,fileSize:e.fileSize,storedBytes:e.storedBytes,bytesOnDisk:t,source:e.source,layers:e.hparams.nLayer,experts:e.hparams.nExpert,attentionLayout:e.hparams.attentionLayout}}async function Re(e){await he(e)}async function ze(e,t){let n=await N(e);if(!n)return{ok:!1,checked:0,problems:[`This model is not in the store.`]};let r=[];n.state!==`ready`&&r.push(`The import of this model has not finished.`);let i=0;for(let e of n.records){let a=k(e.key),o=await I(e.key);o?o.data.byteLength===e.bytes?await Fe(new Uint8Array(o.data))!==n.checksums[a]&&r.push(`Record ${a} does not match its checksum.`):r.push(`Record ${a} has ${o.data.byteLength} bytes instead of ${e.bytes}.`):r.push(`Record ${a} is missing.`),i++,(i%16==0||i===n.records.length)&&t(i,n.records.length)}return{ok:r.length===0,checked:i,problems:r}}var z=class extends Error{code;constructor(e,t){super(t),this.code=e,this.name=`ModelFormatError`}},Be=class extends Error{atLeast;constructor(e){super(`need at least ${e} bytes of header`),this.atLeast=e}},Ve=class{m;arch;constructor(e,t){this.m=e,this.arch=t}raw(e){return this.m.get(`${this.arch}.${e}`)}num(e,t){let n=this.raw(e);if(n===void 0){if(t!==void 0)return t;throw new z(`missing-metadata`,`The file lacks the metadata key "${this.arch}.${e}", which a DeepSeek-V2 model needs.`)}if(typeof n!=`number`||!Number.isFinite(n))throw new z(`bad-metadata`,`Metadata "${this.arch}.${e}" should be a number, not ${JSON.stringify(n).slice(0,40)}.`);return n}count(e,t,n=1<<24){let r=this.num(e,t);if(!Number.isInteger(r)||r<0||r>n)throw new z(`bad-metadata`,`Metadata "${this.arch}.${e}" is ${r}, which is not a sensible count.`);return r}bool(e,t){let n=this.raw(e);if(n===void 0)return t;if(typeof n!=`boolean`)throw new z(`bad-metadata`,`Metadata "${this.arch}.${e}" should be true or false.`);return n}str(e){let t=this.raw(e);return typeof t==`string`?t:void 0}};function He(e){let t=e.metadata.get(`general.architecture`);if(typeof t!=`string`)throw new z(`missing-metadata`,`The file does not say which architecture it holds (general.architecture).`);return t}function Ue(e){let t=He(e);if(t!==`deepseek2`)throw new z(`wrong-architecture`,`This is a "${t}" model. Lite Coder runs DeepSeek-V2 models (architecture "deepseek2"), such as DeepSeek-Coder-V2-Lite.`);let n=new Ve(e.metadata,t),r=new Map(e.tensors.map(e=>[e.name,e]));if(n.count(`attention.q_lora_rank`,0)!==0)throw new z(`wrong-architecture`,`This DeepSeek-V2 model uses a low-rank query projection (q LoRA, the full-size V2); Lite Coder runs the Lite models, which do not.`);let i=r.has(`blk.0.attn_kv_b.weight`)?`legacy`:`mla`,a=n.count(`embedding_length`),o=n.count(`attention.head_count`,void 0,4096),s=n.count(`attention.kv_lora_rank`),c=n.count(`rope.dimension_count`),l=i===`mla`?n.count(`attention.key_length_mla`,void 0):n.count(`attention.key_length`),u=i===`mla`?n.count(`attention.value_length_mla`):n.count(`attention.value_length`),d=n.count(`expert_gating_func`,1);if(d!==1&&d!==2)throw new z(`bad-metadata`,`Metadata "deepseek2.expert_gating_func" is ${d}; only softmax (1) and sigmoid (2) exist.`);let f=n.str(`rope.scaling.type`)??`none`;if(f!==`yarn`&&f!==`none`)throw new z(`bad-metadata`,`Rope scaling "${f}" is not supported (yarn or none).`);let p=r.get(`token_embd.weight`),m={nLayer:n.count(`block_count`,void 0,1024),nEmbd:a,nVocab:n.count(`vocab_size`,p?.ne[1]??0),nHead:o,contextLength:n.count(`context_length`,4096,1<<30),rmsEps:n.num(`attention.layer_norm_rms_epsilon`),nLeadingDense:n.count(`leading_dense_block_count`,0),ffnDense:n.count(`feed_forward_length`),nExpert:n.count(`expert_count`,void 0,4096),nExpertUsed:n.count(`expert_used_count`,void 0,4096),nExpertShared:n.count(`expert_shared_count`,0,4096),ffnExpert:n.count(`expert_feed_forward_length`),expertWeightsScale:n.num(`expert_weights_scale`,1),expertWeightsNorm:n.bool(`expert_weights_norm`,!1),expertGating:d===2?`sigmoid`:`softmax`,kvLoraRank:s,qkNope:l-c,qkRope:c,vHead:u,attentionLayout:i,rope:{base:n.num(`rope.freq_base`,1e4),scalingType:f,factor:n.num(`rope.scaling.factor`,1),originalContext:n.count(`rope.scaling.original_context_length`,4096,1<<30),yarnLogMultiplier:n.num(`rope.scaling.yarn_log_multiplier`,0),betaFast:n.num(`rope.scaling.yarn_beta_fast`,32),betaSlow:n.num(`rope.scaling.yarn_beta_slow`,1)}};if(m.qkNope<=0||c%2!=0)throw new z(`bad-metadata`,`Key length ${l} and rope dimension ${c} do not describe MLA heads.`);if(m.nExpertUsed>m.nExpert||m.nExpertUsed===0)throw new z(`bad-metadata`,`The model routes to ${m.nExpertUsed} of ${m.nExpert} experts, which is impossible.`);if(m.nLeadingDense>m.nLayer)throw new z(`bad-metadata`,`leading_dense_block_count ${m.nLeadingDense} exceeds block_count ${m.nLayer}.`);return Ge(m,r),m}function We(e){let{nEmbd:t,nHead:n,qkNope:r,qkRope:i,vHead:a,kvLoraRank:o}=e,s=[[`token_embd.weight`,[t,e.nVocab]],[`output_norm.weight`,[t]],[`output.weight`,[t,e.nVocab]]];for(let c=0;c<e.nLayer;c++){let l=`blk.${c}.`;if(s.push([`${l}attn_norm.weight`,[t]],[`${l}attn_q.weight`,[t,n*(r+i)]],[`${l}attn_kv_a_mqa.weight`,[t,o+i]],[`${l}attn_kv_a_norm.weight`,[o]],[`${l}attn_output.weight`,[n*a,t]],[`${l}ffn_norm.weight`,[t]]),e.attentionLayout===`legacy`?s.push([`${l}attn_kv_b.weight`,[o,n*(r+a)]]):s.push([`${l}attn_k_b.weight`,[r,o,n]],[`${l}attn_v_b.weight`,[o,a,n]]),c<e.nLeadingDense)s.push([`${l}ffn_gate.weight`,[t,e.ffnDense]],[`${l}ffn_up.weight`,[t,e.ffnDense]],[`${l}ffn_down.weight`,[e.ffnDense,t]]);else{let n=e.ffnExpert;if(s.push([`${l}ffn_gate_inp.weight`,[t,e.nExpert]],[`${l}ffn_gate_exps.weight`,[t,n,e.nExpert]],[`${l}ffn_up_exps.weight`,[t,n,e.nExpert]],[`${l}ffn_down_exps.weight`,[n,t,e.nExpert]]),e.nExpertShared>0){let r=n*e.nExpertShared;s.push([`${l}ffn_gate_shexp.weight`,[t,r]],[`${l}ffn_up_shexp.weight`,[t,r]],[`${l}ffn_down_shexp.weight`,[r,t]])}}}return s}function Ge(e,t){for(let[n,r]of We(e)){let e=t.get(n);if(!e)throw new z(`missing-tensor`,`The file lacks the tensor "${n}", which a DeepSeek-V2 model of this shape needs.`);if(e.ne.length!==r.length||e.ne.some((e,t)=>e!==r[t]))throw new z(`bad-shape`,`Tensor "${n}" has shape [${e.ne.join(`, `)}]; the metadata implies [${r.join(`, `)}].`)}let n=t.get(`blk.${e.nLeadingDense}.ffn_gate_inp.weight`);if(n&&n.type.name!==`F32`)throw new z(`unsupported-type`,`The router "${n.name}" is ${n.type.name}; DeepSeek-V2 routers are stored as F32.`)}function B(e,t,n,r,i=0,a=0){return{id:e,name:t,blockWeights:n,blockBytes:r,scaleOffset:i,scaleBytes:a}}const Ke=B(0,`F32`,1,4),qe=B(1,`F16`,1,2),Je=B(2,`Q4_0`,32,18,0,2),Ye=B(3,`Q4_1`,32,20,0,4),Xe=B(6,`Q5_0`,32,22,0,2),Ze=B(8,`Q8_0`,32,34,0,2),Qe=B(12,`Q4_K`,256,144,0,4),$e=B(14,`Q6_K`,256,210,208,2),et=[Ke,qe,B(30,`BF16`,1,2),Ze,Je,Ye,Xe,Qe,$e],tt={7:`Q5_1`,9:`Q8_1`,10:`Q2_K`,11:`Q3_K`,13:`Q5_K`,15:`Q8_K`,16:`IQ2_XXS`,17:`IQ2_XS`,18:`IQ3_XXS`,19:`IQ1_S`,20:`IQ4_NL`,21:`IQ3_S`,22:`IQ2_S`,23:`IQ4_XS`,24:`I8`,25:`I16`,26:`I32`,27:`I64`,28:`F64`,29:`IQ1_M`,34:`TQ1_0`,35:`TQ2_0`,39:`MXFP4`},nt=new Map(et.map(e=>[e.id,e]));function rt(e){return nt.get(e)}function it(e){return nt.get(e)?.name??tt[e]??`unknown type ${e}`}function at(e){let t=et.find(t=>t.name===e);if(!t)throw Error(`no such supported ggml type: ${e}`);return t}function ot(e){return e.blockWeights>1}const V={maxKeyBytes:65536,maxStringBytes:16777216,maxArrayLength:16777216,maxKvCount:65536,maxTensorCount:65536,maxDims:4,maxHeaderBytes:536870912},st={0:1,1:1,2:2,3:2,4:4,5:4,6:4,7:1,10:8,11:8,12:8};var ct=class{bytes;fileSize;pos=0;view;text=new TextDecoder(`utf-8`,{fatal:!0});constructor(e,t){this.bytes=e,this.fileSize=t,this.view=new DataView(e.buffer,e.byteOffset,e.byteLength)}need(e,t){let n=this.pos+e;if(n>this.fileSize)throw new z(`truncated`,`The file ends inside its header (reading ${t} at byte ${this.pos}): it is truncated or corrupt.`);if(n>V.maxHeaderBytes)throw new z(`bad-metadata`,`The GGUF header is larger than ${V.maxHeaderBytes/2**20} MiB: refusing it as corrupt.`);if(n>this.bytes.byteLength)throw new Be(n)}u8(){return this.need(1,`a u8`),this.view.getUint8(this.pos++)}u32(){this.need(4,`a u32`);let e=this.view.getUint32(this.pos,!0);return this.pos+=4,e}u64(e){this.need(8,e);let t=this.view.getBigUint64(this.pos,!0);if(this.pos+=8,t>BigInt(2**53-1))throw new z(`bad-metadata`,`${e} is ${t}, which overflows: the header is corrupt.`);return Number(t)}string(e,t=V.maxStringBytes){let n=this.u64(`the length of ${e}`);if(n>t)throw new z(`bad-metadata`,`${e} claims ${n} bytes (limit ${t}): the header is corrupt.`);this.need(n,e);let r=this.bytes.subarray(this.pos,this.pos+n);this.pos+=n;try{return this.text.decode(r)}catch{throw new z(`bad-metadata`,`${e} is not valid UTF-8.`)}}scalar(e,t){let n=st[e];if(n===void 0)throw new z(`bad-metadata`,`${t} has unknown value type ${e}.`);this.need(n,t);let r=this.pos;this.pos+=n;let i=this.view;switch(e){case 0:return i.getUint8(r);case 1:return i.getInt8(r);case 2:return i.getUint16(r,!0);case 3:return i.getInt16(r,!0);case 4:return i.getUint32(r,!0);case 5:return i.getInt32(r,!0);case 6:return i.getFloat32(r,!0);case 7:return i.getUint8(r)!==0;case 12:return i.getFloat64(r,!0);default:{let n=e===10?i.getBigUint64(r,!0):i.getBigInt64(r,!0);if(n>BigInt(2**53-1)||n<BigInt(-(2**53-1)))throw new z(`bad-metadata`,`${t} is ${n}, which overflows.`);return Number(n)}}}value(e,t,n=0){if(e===8)return this.string(t);if(e!==9)return this.scalar(e,t);if(n>1)throw new z(`bad-metadata`,`${t} nests arrays too deeply.`);let r=this.u32(),i=this.u64(`the length of ${t}`),a=r===8?8:r===9?12:st[r];if(a===void 0)throw new z(`bad-metadata`,`${t} is an array of unknown value type ${r}.`);if(i>V.maxArrayLength||this.pos+i*a>this.fileSize)throw new z(`bad-metadata`,`${t} claims ${i} elements, more than the file can hold: the header is corrupt.`);let o=Array(i);for(let e=0;e<i;e++)o[e]=this.value(r,t,n+1);return o}};function lt(e,t){if(t<8&&e.byteLength>=t)throw new z(`not-gguf`,`This is not a GGUF model file: it is too short to have a GGUF header.`);let n=new ct(e,t);if(n.u32()!==1179993927)throw new z(`not-gguf`,`This is not a GGUF model file (it does not start with "GGUF"). Lite Coder imports .gguf files.`);let r=n.u32();if(r!==2&&r!==3)throw new z(`unsupported-version`,`This GGUF file is version ${r}; Lite Coder reads versions 2 and 3.`);let i=n.u64(`the tensor count`),a=n.u64(`the metadata count`);if(i>V.maxTensorCount)throw new z(`bad-metadata`,`The header claims ${i} tensors: it is corrupt.`);if(a>V.maxKvCount)throw new z(`bad-metadata`,`The header claims ${a} metadata entries: it is corrupt.`);let o=/* @__PURE__ */ new Map;for(let e=0;e<a;e++){let t=n.string(`metadata key #${e}`,V.maxKeyBytes),r=n.u32();o.set(t,n.value(r,`metadata "${t}"`))}let s=o.get(`general.alignment`)??32;if(typeof s!=`number`||s<=0||s%4!=0||s>65536)throw new z(`bad-metadata`,`general.alignment is ${String(s)}; it must be a small positive multiple of 4.`);let c=[];for(let e=0;e<i;e++){let t=n.string(`the name of tensor #${e}`,4096),r=n.u32();if(r<1||r>V.maxDims)throw new z(`bad-tensor-table`,`Tensor "${t}" has ${r} dimensions (1 to 4 allowed).`);let i=[];for(let e=0;e<r;e++)i.push(n.u64(`dimension ${e} of tensor "${t}"`));let a=n.u32(),o=n.u64(`the offset of tensor "${t}"`);c.push({name:t,typeId:a,ne:i,rel:o})}let l=Math.ceil(n.pos/s)*s,u=c.map(e=>ut(e,l,s,t));return dt(u,t),{version:r,metadata:o,tensors:u,alignment:s,dataOffset:l,fileSize:t}}function ut(e,t,n,r){let i=rt(e.typeId);if(!i)throw new z(`unsupported-type`,`Tensor "${e.name}" has type ${it(e.typeId)}, which Lite Coder does not support (supported: ${et.map(e=>e.name).join(`, `)}).`);let a=1;for(let t of e.ne){if(t<1)throw new z(`bad-tensor-table`,`Tensor "${e.name}" has an empty dimension.`);if(a*=t,a>r*8)throw new z(`bad-tensor-table`,`Tensor "${e.name}" claims shape [${e.ne.join(`, `)}], larger than the whole file.`)}if(e.ne[0]%i.blockWeights!==0)throw new z(`bad-tensor-table`,`Tensor "${e.name}" has rows of ${e.ne[0]} weights, not a multiple of ${i.name}'s block of ${i.blockWeights}.`);if(e.rel%n!==0)throw new z(`bad-tensor-table`,`Tensor "${e.name}" starts at offset ${e.rel}, not aligned to ${n}.`);let o=e.ne[0]/i.blockWeights*i.blockBytes,s=a/e.ne[0];return{name:e.name,type:i,ne:e.ne,offset:t+e.rel,byteSize:o*s,nRows:s,rowBytes:o}}function dt(e,t){let n=/* @__PURE__ */ new Set;for(let t of e){if(n.has(t.name))throw new z(`bad-tensor-table`,`Tensor "${t.name}" appears twice in the tensor table.`);n.add(t.name)}let r=[...e].sort((e,t)=>e.offset-t.offset);for(let e=0;e<r.length;e++){let n=r[e],i=n.offset+n.byteSize;if(i>t)throw new z(`truncated`,`Tensor "${n.name}" ends at byte ${i} but the file has only ${t} bytes: the file is truncated or its tensor table is wrong.`);let a=r[e+1];if(a&&a.offset<i)throw new z(`bad-tensor-table`,`Tensors "${n.name}" and "${a.name}" overlap in the file: the tensor table is inconsistent.`)}}async function ft(e,t){let n=await e(0,Math.min(t,262144));for(;;)try{let e=lt(n,t);return{header:e,headerBytes:n.subarray(0,Math.min(n.byteLength,e.dataOffset))}}catch(r){if(!(r instanceof Be))throw r;let i=Math.min(t,Math.max(r.atLeast,n.byteLength*2)),a=await e(n.byteLength,i-n.byteLength),o=new Uint8Array(n.byteLength+a.byteLength);o.set(n),o.set(a,n.byteLength),n=o}}const pt={normal:1,unknown:2,control:3,userDefined:4,unused:5,byte:6},mt=`gpt2`,ht=[`deepseek-llm`],gt=`\\t-\\r `,_t=[/[\r\n]/gu,RegExp(`[${gt}]?[\\u{0041}-\\u{005A}\\u{0061}-\\u{007A}\\u{00B5}\\u{00C0}-\\u{00D6}\\u{00D8}-\\u{00F6}\\u{00F8}-\\u{01BA}\\u{01BC}-\\u{01BF}\\u{01C4}-\\u{0293}\\u{0295}-\\u{02AF}\\u{0370}-\\u{0373}\\u{0376}\\u{0377}\\u{037B}-\\u{037D}\\u{037F}\\u{0386}\\u{0388}-\\u{038A}\\u{038C}\\u{038E}-\\u{03A1}\\u{03A3}-\\u{03F5}\\u{03F7}-\\u{0481}\\u{048A}-\\u{052F}\\u{0531}-\\u{0556}\\u{10A0}-\\u{10C5}\\u{13A0}-\\u{13F5}\\u{13F8}-\\u{13FD}\\u{1C90}-\\u{1CBA}\\u{1CBD}-\\u{1CBF}\\u{1D00}-\\u{1D2B}\\u{1D6B}-\\u{1D77}\\u{1D79}-\\u{1D9A}\\u{1E00}-\\u{1F15}\\u{1F18}-\\u{1F1D}\\u{1F20}-\\u{1F45}\\u{1F48}-\\u{1F4D}\\u{1F50}-\\u{1F57}\\u{1F59}\\u{1F5B}\\u{1F5D}\\u{1F5F}-\\u{1F7D}\\u{1F80}-\\u{1FB4}\\u{1FB6}-\\u{1FBC}\\u{1FBE}\\u{1FC2}-\\u{1FC4}\\u{1FC6}-\\u{1FCC}\\u{1FD0}-\\u{1FD3}\\u{1FD6}-\\u{1FDB}\\u{1FE0}-\\u{1FEC}\\u{1FF2}-\\u{1FF4}\\u{1FF6}-\\u{1FFC}\\u{2102}\\u{2107}\\u{210A}-\\u{2113}\\u{2115}\\u{2119}-\\u{211D}\\u{2124}\\u{2126}\\u{2128}\\u{212A}-\\u{212D}\\u{212F}-\\u{2134}\\u{2139}\\u{213C}-\\u{213F}\\u{2145}-\\u{2149}\\u{214E}\\u{2183}\\u{2184}\\u{2C00}-\\u{2C7B}\\u{2C7E}-\\u{2CE4}\\u{2CEB}-\\u{2CEE}\\u{2CF2}\\u{2CF3}\\u{A640}-\\u{A66D}\\u{A680}-\\u{A69B}\\u{A722}-\\u{A76F}\\u{A771}-\\u{A787}\\u{A78B}-\\u{A78E}\\u{AB70}-\\u{ABBF}\\u{FB00}-\\u{FB06}\\u{FB13}-\\u{FB17}\\u{FF21}-\\u{FF3A}\\u{FF41}-\\u{FF5A}\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}]+`,`gu`),RegExp(`[${gt}]?[\\u{0021}-\\u{002F}\\u{003A}-\\u{007E}\\u{FF01}-\\u{FF0F}\\u{FF1A}-\\u{FF5E}\\u{2018}-\\u{201F}\\u{3000}-\\u{3002}]+`,`gu`),RegExp(`[${gt}]+$`,`gu`),/* @__PURE__ */ RegExp(`[\\u{4E00}-\\u{9FA5}\\u{0800}-\\u{4E00}\\u{AC00}-\\u{D7FF}]+`,`gu`),/\p{N}+/gu],vt=/(?=[^\0-\x7F])\p{White_Space}/gu,yt=/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;function bt(e){let t=e.replace(vt,`\v`),n=[0,e.length];for(let e of _t){let r=[0];for(let i=1;i<n.length;i++){let a=n[i-1],o=n[i],s=t.slice(a,o);e.lastIndex=0;for(let t=e.exec(s);t!==null;t=e.exec(s))t.index>0&&a+t.index!==r[r.length-1]&&r.push(a+t.index),r.push(a+t.index+t[0].length);r[r.length-1]!==o&&r.push(o)}n=r}let r=[];for(let t=1;t<n.length;t++)r.push(e.slice(n[t-1],n[t]));return r}const xt=(()=>{let e=Array(256),t=0;for(let n=0;n<256;n++){let r=n>=33&&n<=126||n>=161&&n<=172||n>=174&&n<=255;e[n]=String.fromCharCode(r?n:256+t++)}return e})(),St=new Map(xt.map((e,t)=>[e.charCodeAt(0),t])),H=new TextEncoder;function Ct(e){let t=H.encode(e),n=``;for(let e of t)n+=xt[e];return n}function wt(e,t){return e.rank<t.rank||e.rank===t.rank&&e.left<t.left}var Tt=class{items=[];get size(){return this.items.length}push(e){let t=this.items;t.push(e);let n=t.length-1;for(;n>0;){let e=n-1>>1;if(!wt(t[n],t[e]))break;[t[n],t[e]]=[t[e],t[n]],n=e}}pop(){let e=this.items,t=e[0],n=e.pop();if(e.length>0){e[0]=n;let t=0;for(;;){let n=2*t+1,r=n+1,i=t;if(n<e.length&&wt(e[n],e[i])&&(i=n),r<e.length&&wt(e[r],e[i])&&(i=r),i===t)break;[e[t],e[i]]=[e[i],e[t]],t=i}}return t}};function Et(e,t){let n=e.length;if(n<=1)return[e];let r=new Int32Array(n).fill(1),i=new Int32Array(n),a=new Int32Array(n);for(let e=0;e<n;e++)i[e]=e-1,a[e]=e+1<n?e+1:-1;let o=new Tt,s=(n,i)=>{if(n<0||i<0)return;let a=t.get(e.slice(n,n+r[n])+` `+e.slice(i,i+r[i]));a!==void 0&&o.push({rank:a,left:n,right:i,leftLen:r[n],rightLen:r[i]})};for(let e=1;e<n;e++)s(e-1,e);for(;o.size>0;){let e=o.pop();if(r[e.left]!==e.leftLen||r[e.right]!==e.rightLen)continue;r[e.left]=e.leftLen+e.rightLen,r[e.right]=0;let t=a[e.right];a[e.left]=t,t>=0&&(i[t]=e.left),s(i[e.left],e.left),s(e.left,t)}let c=[];for(let t=0;t>=0;t=a[t])c.push(e.slice(t,t+r[t]));return c}var Dt=class{bosId;eosId;vocabSize;addBos;addEos;tokens;types;ids=/* @__PURE__ */ new Map;ranks=/* @__PURE__ */ new Map;userDefined;wordCache=/* @__PURE__ */ new Map;pieceBytes;constructor(e){if(e.model!==`gpt2`)throw Error(`unsupported tokenizer model "${e.model}" (only "${mt}")`);if(!ht.includes(e.pre))throw Error(`unsupported pre-tokenizer "${e.pre}"`);if(e.tokenTypes.length!==e.tokens.length)throw Error(`token types and tokens differ in length`);this.tokens=e.tokens,this.types=e.tokenTypes,this.vocabSize=e.tokens.length,this.bosId=e.bosId,this.eosId=e.eosId,this.addBos=e.addBos,this.addEos=e.addEos,this.pieceBytes=Array(this.vocabSize),e.tokens.forEach((e,t)=>{e!==``&&this.ids.set(e,t)}),e.merges.forEach((e,t)=>{this.ranks.has(e)||this.ranks.set(e,t)});let t=[];e.tokenTypes.forEach((n,r)=>{let i=e.tokens[r];n===pt.userDefined&&i!==``&&t.push({text:i,id:r,bytes:H.encode(i).length})}),t.sort((e,t)=>t.bytes-e.bytes||e.id-t.id),this.userDefined=t.map(({text:e,id:t})=>({text:e,id:t}))}tokenId(e){return this.ids.get(e)}tokenType(e){return this.types[e]}isControl(e){return this.types[e]===pt.control}encode(e){let t=[];for(let n of this.splitUserDefined(e.replace(yt,`�`)))if(typeof n==`number`)t.push(n);else for(let e of bt(n))for(let n of this.encodeWord(e))t.push(n);return t}decode(e){let t=[],n=0;for(let r of e){let e=this.bytesOf(r);t.push(e),n+=e.length}let r=new Uint8Array(n),i=0;for(let e of t)r.set(e,i),i+=e.length;return new TextDecoder(`utf-8`,{ignoreBOM:!0}).decode(r)}createDecoder(){let e=new TextDecoder(`utf-8`,{ignoreBOM:!0});return{push:t=>e.decode(this.bytesOf(t),{stream:!0}),flush:()=>e.decode()}}splitUserDefined(e){let t=[e];for(let{text:n,id:r}of this.userDefined){if(!e.includes(n))continue;let i=[];for(let e of t){if(typeof e==`number`){i.push(e);continue}let t=0;for(let a=e.indexOf(n);a>=0;a=e.indexOf(n,t))a>t&&i.push(e.slice(t,a)),i.push(r),t=a+n.length;t<e.length&&i.push(e.slice(t))}t=i}return t}encodeWord(e){let t=this.wordCache.get(e);if(t)return t;let n=[];for(let t of Et(Ct(e),this.ranks)){let e=this.ids.get(t);if(e!==void 0)n.push(e);else for(let e of H.encode(t)){let t=e<128?this.ids.get(String.fromCharCode(e)):void 0;t!==void 0&&n.push(t)}}return this.wordCache.size>=5e4&&this.wordCache.clear(),this.wordCache.set(e,n),n}bytesOf(e){if(!Number.isInteger(e)||e<0||e>=this.vocabSize)throw RangeError(`token id ${e} is outside the vocabulary (0..${this.vocabSize-1})`);let t=this.pieceBytes[e];return t===void 0&&(t=this.computeBytes(e),this.pieceBytes[e]=t),t}computeBytes(e){let t=this.tokens[e];switch(this.types[e]){case pt.normal:{let e=[];for(let n of t){let t=n.length===1?St.get(n.charCodeAt(0)):void 0;t===void 0?e.push(...H.encode(n)):e.push(t)}return Uint8Array.from(e)}case pt.userDefined:return H.encode(t);default:return/* @__PURE__ */ new Uint8Array}}};const U={model:`tokenizer.ggml.model`,pre:`tokenizer.ggml.pre`,tokens:`tokenizer.ggml.tokens`,types:`tokenizer.ggml.token_type`,merges:`tokenizer.ggml.merges`,bos:`tokenizer.ggml.bos_token_id`,eos:`tokenizer.ggml.eos_token_id`,addBos:`tokenizer.ggml.add_bos_token`,addEos:`tokenizer.ggml.add_eos_token`};function Ot(e,t){let n=e.get(t);if(n===void 0)throw new z(`missing-metadata`,`The model file has no ${t}: it does not describe its tokenizer.`);return n}function W(e,t){return new z(`bad-metadata`,`${e} ${t}`)}function kt(e,t){let n=Ot(e,t);if(typeof n!=`string`)throw W(t,`must be a string, not ${G(n)}.`);return n}function At(e,t,n){let r=e.get(t);if(r===void 0)return n;if(typeof r!=`boolean`)throw W(t,`must be a boolean, not ${G(r)}.`);return r}function jt(e,t,n){let r=Ot(e,t);if(typeof r!=`number`||!Number.isInteger(r))throw W(t,`must be an integer token id, not ${G(r)}.`);if(r<0||r>=n)throw W(t,`is ${r}, outside the vocabulary of ${n} tokens.`);return r}function Mt(e,t){let n=Ot(e,t);if(!Array.isArray(n))throw W(t,`must be an array of strings, not ${G(n)}.`);for(let e=0;e<n.length;e++)if(typeof n[e]!=`string`)throw W(t,`must be an array of strings, but element ${e} is ${G(n[e])}.`);return n}function G(e){return Array.isArray(e)?`an array`:`${typeof e} ${JSON.stringify(e)}`}function Nt(e){let t=kt(e,U.model);if(t!==`gpt2`)throw W(U.model,`is "${t}", but Lite Coder only supports "${mt}" (byte-level BPE) tokenizers.`);let n=kt(e,U.pre);if(!ht.includes(n))throw W(U.pre,`is "${n}": this pre-tokenizer is not supported (supported: ${ht.map(e=>`"${e}"`).join(`, `)}).`);let r=Mt(e,U.tokens);if(r.length===0)throw W(U.tokens,`is empty.`);let i=Ot(e,U.types);if(!Array.isArray(i))throw W(U.types,`must be an array of integers, not ${G(i)}.`);if(i.length!==r.length)throw W(U.types,`has ${i.length} entries but ${U.tokens} has ${r.length}: they must match.`);let a=Array(i.length);for(let e=0;e<i.length;e++){let t=i[e];if(typeof t!=`number`||!Number.isInteger(t)||t<0||t>6)throw W(U.types,`has ${G(t)} for token ${e}; token types are integers 0 to 6.`);a[e]=t}let o=Mt(e,U.merges);for(let e=0;e<o.length;e++){let t=o[e].indexOf(` `,1);if(t<0||t===o[e].length-1)throw W(U.merges,`entry ${e} (${JSON.stringify(o[e])}) is not a "left right" pair.`)}return{model:t,pre:n,tokens:r,tokenTypes:a,merges:o,bosId:jt(e,U.bos,r.length),eosId:jt(e,U.eos,r.length),addBos:At(e,U.addBos,!0),addEos:At(e,U.addEos,!1)}}function Pt(e){return e+3&-4}function Ft(e,t){let n=t/e.blockWeights;return ot(e)?n*(e.blockBytes-e.scaleBytes)+Pt(n*e.scaleBytes):Pt(n*e.blockBytes)}function It(e,t,n,r){let i=t/e.blockWeights,a=i*e.blockBytes,o=Ft(e,t);if(n.byteLength!==a*r)throw Error(`transcodeRows: got ${n.byteLength} bytes for ${r} rows of ${a}`);let s=new Uint8Array(o*r);if(!ot(e)){if(a===o)s.set(n);else for(let e=0;e<r;e++)s.set(n.subarray(e*a,(e+1)*a),e*o);return s}let c=e.blockBytes-e.scaleBytes,l=e.scaleOffset===0?e.scaleBytes:0;for(let t=0;t<r;t++){let r=t*a,u=t*o,d=u+i*c;for(let t=0;t<i;t++){let i=r+t*e.blockBytes;s.set(n.subarray(i+l,i+l+c),u+t*c);for(let r=0;r<e.scaleBytes;r++)s[d+t*e.scaleBytes+r]=n[i+e.scaleOffset+r]}}return s}const Lt=[`gate`,`up`,`down`];function Rt(e){return{name:e.name,type:e.type.name,ne:e.ne,rowWeights:e.ne[0],nRows:e.nRows,rowStride:Ft(e.type,e.ne[0]),fileOffset:e.offset,fileBytes:e.byteSize}}function zt(e,t,n){let r=new Map(t.tensors.map(e=>[e.name,e])),i=/* @__PURE__ */ new Set,a=[];for(let e=n.nLeadingDense;e<n.nLayer;e++){let t=Lt.map(t=>Rt(r.get(`blk.${e}.ffn_${t}_exps.weight`)));t.forEach(e=>i.add(e.name));let[o,s,c]=t,l=e=>e.nRows/n.nExpert,u={gate:l(o),up:l(s),down:l(c)},d={gate:0,up:u.gate*o.rowStride,down:u.gate*o.rowStride+u.up*s.rowStride};a.push({layer:e,gate:o,up:s,down:c,partRows:u,partOffsets:d,recordBytes:d.down+u.down*c.rowStride})}let o=t.tensors.filter(e=>!i.has(e.name)).map(e=>{let t=Rt(e),n=Math.max(1,Math.floor(8388608/t.rowStride));return{...t,rowsPerChunk:n,chunks:Math.ceil(t.nRows/n)}}),s=[];for(let t of o){let n=t.fileBytes/t.nRows;for(let r=0;r<t.chunks;r++){let i=Math.min(t.rowsPerChunk,t.nRows-r*t.rowsPerChunk),a={tensor:t,rows:i,fileOffset:t.fileOffset+r*t.rowsPerChunk*n,fileBytes:i*n};s.push({key:ue(e,t.name,r),bytes:i*t.rowStride,slices:[a]})}}for(let t of a)for(let r=0;r<n.nExpert;r++){let n=Lt.map(e=>{let n=t[e],i=t.partRows[e],a=n.fileBytes/n.nRows;return{tensor:n,rows:i,fileOffset:n.fileOffset+r*i*a,fileBytes:i*a}});s.push({key:de(e,t.layer,r),bytes:t.recordBytes,slices:n})}return{dense:o,experts:a,records:s,storedBytes:s.reduce((e,t)=>e+t.bytes,0)}}function Bt(e,t){let n=new Uint8Array(e.bytes),r=0;return e.slices.forEach((e,i)=>{let a=It(at(e.tensor.type),e.tensor.rowWeights,t[i],e.rows);n.set(a,r),r+=a.byteLength}),n}var K=class extends Error{retryable;constructor(e,t){super(e),this.retryable=t,this.name=`SourceError`}};async function Vt(e,t){return e.kind===`file`?Ht(e.file):Ut(e.url,t)}function Ht(e){return{size:e.size,info:{kind:`file`,name:e.name,lastModified:e.lastModified},randomAccess:!0,async read(t,n){try{return new Uint8Array(await e.slice(t,t+n).arrayBuffer())}catch(t){throw new K(`Could not read "${e.name}": ${t.message}. Was the file moved or changed?`,!1)}},close(){}}}async function Ut(e,t){let n=await Wt(e,t,0,262143),r=n.headers.get(`ETag`),i=n.headers.get(`Last-Modified`);if(n.status===206){let a=/\/(\d+)$/.exec(n.headers.get(`Content-Range`)??``);if(!a)throw new K(`The server at ${e} answered a range request without saying the file's size (Content-Range).`,!1);let o=Number(a[1]),s=new Uint8Array(await n.arrayBuffer());return{size:o,info:{kind:`url`,url:e,etag:r,lastModified:i,rangeSupported:!0},randomAccess:!0,async read(n,i){if(n+i<=s.byteLength)return s.subarray(n,n+i);let a=await Wt(e,t,n,n+i-1);if(a.status!==206)throw new K(`The server at ${e} stopped honouring range requests (status ${a.status}).`,!0);let o=a.headers.get(`ETag`);if(r&&o&&o!==r)throw new K(`The file on the server changed during the download. Delete the partial import and start again.`,!1);let c=new Uint8Array(await Gt(a,t));if(c.byteLength!==i)throw new K(`The server sent ${c.byteLength} bytes where ${i} were asked for: the connection broke.`,!0);return c},close(){}}}let a=Number(n.headers.get(`Content-Length`)??NaN);if(!Number.isFinite(a))throw new K(`The server at ${e} supports neither Range requests nor says the file's size (Content-Length), so the model cannot be streamed from it.`,!1);return Kt(e,n,a,{kind:`url`,url:e,etag:r,lastModified:i,rangeSupported:!1})}async function Wt(e,t,n,r){let i;try{i=await fetch(e,{headers:{Range:`bytes=${n}-${r}`},signal:t,cache:`no-store`})}catch(n){throw t.aborted?n:new K(`Network error while downloading from ${e}: ${n.message}.`,!0)}if(i.status===416)throw new K(`The server says the file is shorter than expected (416 at byte ${n}): it changed or is truncated.`,!1);if(!i.ok)throw new K(`Downloading ${e} failed: HTTP ${i.status} ${i.statusText}.`,i.status>=500);return i}async function Gt(e,t){try{return await e.arrayBuffer()}catch(e){throw t.aborted?e:new K(`The connection broke during the download: ${e.message}.`,!0)}}function Kt(e,t,n,r){let i=t.body.getReader(),a=/* @__PURE__ */ new Uint8Array,o=0;return{size:n,info:r,randomAccess:!1,async read(t,r){if(t<o)throw Error(`sequential source: read at ${t} is before the previous read (${o})`);let s=t+r,c=[a],l=o+a.byteLength;for(;l<s;){let t;try{t=await i.read()}catch(t){throw new K(`The connection to ${e} broke during the download: ${t.message}.`,!0)}if(t.done)throw new K(`The download from ${e} ended at byte ${l}, before the ${n} bytes it announced.`,!0);c.push(t.value),l+=t.value.byteLength}return a=qt(c).subarray(t-o),o=t,a.slice(0,r)},close(){i.cancel().catch(()=>{})}}}function qt(e){if(e.length===1)return e[0];let t=new Uint8Array(e.reduce((e,t)=>e+t.byteLength,0)),n=0;for(let r of e)t.set(r,n),n+=r.byteLength;return t}var Jt=class{listener;fixed;note;current=`reading header`;done;lastReport=0;samples=[];constructor(e,t){this.listener=e,this.fixed=t,this.done=t.bytesResumed}phase(e){this.current=e,this.report(!0)}add(e){this.done+=e,this.report(!1)}report(e){let t=performance.now();for(this.samples.push([t,this.done]);this.samples.length>2&&t-this.samples[0][0]>5e3;)this.samples.shift();if(!e&&t-this.lastReport<150&&this.done<this.fixed.bytesTotal)return;this.lastReport=t;let[n,r]=this.samples[0],i=t>n?(this.done-r)*1e3/(t-n):0,a=this.fixed.bytesTotal-this.done;this.listener({...this.fixed,phase:this.current,bytesDone:this.done,bytesPerSecond:i,etaSeconds:i>0?a/i:null,...this.note?{note:this.note}:{}})}},Yt=class extends Error{resumable;constructor(e,t){super(e),this.resumable=t,this.name=`ImportError`}};async function Xt(e,t,n){let r=await Vt(e,n);try{return await Zt(r,t,n)}finally{r.close()}}async function Zt(e,t,n){let{header:r,headerBytes:i}=await ft((t,n)=>e.read(t,n),e.size),a=Ue(r),o=Nt(r.metadata),s=await rn(i,e.size),c=await N(s);if(c?.state===`ready`)return c;let l=zt(s,r,a),u=new Set(c?(await L(s)).map(k):[]),d=l.records.filter(e=>!u.has(k(e.key))),f=e=>e.reduce((e,t)=>e+t.slices.reduce((e,t)=>e+t.fileBytes,0),0),p=String(r.metadata.get(`general.name`)??(e.info.kind===`file`?e.info.name:`model`)),m=new Jt(t,{modelId:s,name:p,bytesTotal:f(l.records),bytesResumed:f(l.records)-f(d),canResume:e.randomAccess});e.randomAccess||(m.note=`This server does not support resuming (no HTTP Range requests): if the download is interrupted it starts over.`),m.phase(`checking space`),await en(d.reduce((e,t)=>e+t.bytes,0));let h=c??{id:s,name:p,architecture:`deepseek2`,fileType:an(r.tensors.map(e=>e.type.id)),fileSize:e.size,source:e.info,state:`importing`,createdAt:Date.now(),updatedAt:Date.now(),hparams:a,tokenizer:o,dense:l.dense,experts:l.experts,records:l.records,storedBytes:l.storedBytes,checksums:{}};c||await P(h);let g=[],_=Date.now(),v=async(e,t)=>{if(n.aborted)throw n.reason;let r=await Fe(t);await pe(e.key,{sha256:r,data:t.buffer}),g.push(e.key),h.checksums[k(e.key)]=r,m.add(e.slices.reduce((e,t)=>e+t.fileBytes,0)),Date.now()-_>5e3&&(_=Date.now(),h.updatedAt=_,await P(h))};m.phase(`downloading`);try{e.randomAccess?await Qt(d,e,v):await $t(d,e,v)}catch(t){let r=tn(t);if(r||n.aborted?c?await me(g):await he(s):await P(h),n.aborted)throw new Yt(`Import cancelled; nothing of it was kept.`,!1);if(r)throw new Yt(`Storage is full: the browser refused to store more of the model. Free some space (or delete other models) and try again.`,!1);let i=e.randomAccess&&t instanceof K&&t.retryable;throw new Yt(`${t.message}${i?` What is stored is kept: import the same URL or file again to resume.`:``}`,i)}m.phase(`finishing`);for(let e of l.records){let t=k(e.key);h.checksums[t]??=(await I(e.key))?.sha256??``}return h.state=`ready`,h.updatedAt=Date.now(),await P(h),m.phase(`done`),h}async function Qt(e,t,n){let r=0,i;if(await Promise.all(Array.from({length:4},async()=>{for(;!i&&r<e.length;){let a=e[r++];try{let e=await Promise.all(a.slices.map(e=>t.read(e.fileOffset,e.fileBytes)));i||await n(a,Bt(a,e))}catch(e){i??={error:e}}}})),i)throw i.error}async function $t(e,t,n){let r=e.flatMap(e=>e.slices.map((t,n)=>({r:e,i:n,s:t}))).sort((e,t)=>e.s.fileOffset-t.s.fileOffset),i=/* @__PURE__ */ new Map;for(let{r:e,i:a,s:o}of r){let r=i.get(e)??[];r[a]=await t.read(o.fileOffset,o.fileBytes),r.filter(Boolean).length<e.slices.length?i.set(e,r):(i.delete(e),await n(e,Bt(e,r)))}}async function en(e){let t=await navigator.storage.estimate(),n=(t.quota??1/0)-(t.usage??0);if(e>n)throw new Yt(`Not enough storage: the model needs ${nn(e)} more, but only ${nn(n)} is free (${nn(e-n)} missing). Free some space or delete other models, then try again.`,!1)}function tn(e){return e instanceof DOMException&&(e.name===`QuotaExceededError`||/quota/i.test(e.message))}function nn(e){return e>=1e9?`${(e/1e9).toFixed(2)} GB`:`${(e/1e6).toFixed(1)} MB`}async function rn(e,t){let n=new TextEncoder().encode(`:${t}`),r=new Uint8Array(e.byteLength+n.byteLength);return r.set(e),r.set(n,e.byteLength),(await Fe(r)).slice(0,16)}function an(e){let t=/* @__PURE__ */ new Map;for(let n of e)t.set(it(n),(t.get(it(n))??0)+1);return[...t].sort((e,t)=>t[1]-e[1]).map(([e,t])=>`${t}×${e}`).join(` `)}let q;const on={listModels:Ie,async importModel(e,t){if(q)throw Error(`Another import is running; wait for it or cancel it first.`);q=new AbortController;try{let n=await Xt(e,t,q.signal);return(await Ie()).find(e=>e.id===n.id)}catch(e){throw Error(e.message)}finally{q=void 0}},async cancelImport(){q?.abort(new DOMException(`Import cancelled`,`AbortError`))},deleteModel:Re,verifyModel:ze};var sn=class{slots;held;lastUse;slotOf=/* @__PURE__ */ new Map;clock=0;constructor(e){this.slots=e,this.held=new Float64Array(e).fill(-1),this.lastUse=new Float64Array(e)}tick(){this.clock++}hit(e){let t=this.slotOf.get(e);return t!==void 0&&(this.lastUse[t]=this.clock),t}place(e,t){let n=-1;for(let e=0;e<this.slots;e++){let r=this.held[e];if(r<0){n=e;break}t.has(r)||(n<0||this.lastUse[e]<this.lastUse[n])&&(n=e)}if(n<0)throw Error(`every slot holds an item the step needs`);let r=this.held[n];return r>=0&&this.slotOf.delete(r),this.held[n]=e,this.slotOf.set(e,n),this.lastUse[n]=this.clock,n}slotOfItem(e){return this.slotOf.get(e)}};const J=Math.fround;function Y(e){let t=e&32768?-1:1,n=e>>10&31,r=e&1023;return n===0?t*r*2**-24:n===31?r?NaN:t*(1/0):t*(1+r/1024)*2**(n-15)}function X(e,t){return e[t]|e[t+1]<<8}const cn=(e,t,n,r,i,a)=>{let o=Y(X(n,r));for(let n=0;n<16;n++){let r=e[t+n];i[a+n]=J(((r&15)-8)*o),i[a+n+16]=J(((r>>4)-8)*o)}},ln=(e,t,n,r,i,a)=>{let o=Y(X(n,r)),s=Y(X(n,r+2));for(let n=0;n<16;n++){let r=e[t+n];i[a+n]=J(J((r&15)*o)+s),i[a+n+16]=J(J((r>>4)*o)+s)}},un=(e,t,n,r,i,a)=>{let o=Y(X(n,r)),s=(e[t]|e[t+1]<<8|e[t+2]<<16|e[t+3]<<24)>>>0;for(let n=0;n<16;n++){let r=e[t+4+n],c=s>>>n<<4&16,l=s>>>n+12&16;i[a+n]=J(((r&15|c)-16)*o),i[a+n+16]=J(((r>>4|l)-16)*o)}},dn=(e,t,n,r,i,a)=>{let o=Y(X(n,r));for(let n=0;n<32;n++)i[a+n]=J((e[t+n]<<24>>24)*o)};function fn(e,t,n){return e<4?[t[n+e]&63,t[n+e+4]&63]:[t[n+e+4]&15|t[n+e-4]>>6<<4,t[n+e+4]>>4|t[n+e]>>6<<4]}const pn={Q4_0:cn,Q4_1:ln,Q5_0:un,Q8_0:dn,Q4_K:(e,t,n,r,i,a)=>{let o=Y(X(n,r)),s=Y(X(n,r+2)),c=t+12,l=a;for(let n=0;n<8;n+=2){let[r,a]=fn(n,e,t),[u,d]=fn(n+1,e,t),f=J(o*r),p=J(s*a),m=J(o*u),h=J(s*d);for(let t=0;t<32;t++)i[l++]=J(J(f*(e[c+t]&15))-p);for(let t=0;t<32;t++)i[l++]=J(J(m*(e[c+t]>>4))-h);c+=32}},Q6_K:(e,t,n,r,i,a)=>{let o=Y(X(n,r)),s=t,c=t+128,l=t+192,u=a;for(let t=0;t<256;t+=128){for(let t=0;t<32;t++){let n=t>>4,r=e[c+t],a=(e[s+t]&15|(r&3)<<4)-32,d=(e[s+t+32]&15|(r>>2&3)<<4)-32,f=(e[s+t]>>4|(r>>4&3)<<4)-32,p=(e[s+t+32]>>4|(r>>6&3)<<4)-32,m=t=>e[l+n+t]<<24>>24;i[u+t]=J(J(o*m(0))*a),i[u+t+32]=J(J(o*m(2))*d),i[u+t+64]=J(J(o*m(4))*f),i[u+t+96]=J(J(o*m(6))*p)}u+=128,s+=64,c+=32,l+=8}}};function mn(e,t,n,r){switch(e.name){case`F32`:return r.getFloat32(n,!0);case`F16`:return Y(X(t,n));case`BF16`:return new Float32Array(new Uint32Array([X(t,n)<<16]).buffer)[0];default:throw Error(`${e.name} is not a plain float type`)}}function hn(e,t,n,r,i){let a=new Float32Array(n*r),o=pn[e.name],s=new DataView(t.buffer,t.byteOffset,t.byteLength);for(let c=0;c<r;c++){let r=c*i;if(!o){for(let i=0;i<n;i++)a[c*n+i]=mn(e,t,r+i*e.blockBytes,s);continue}let l=n/e.blockWeights,u=e.blockBytes-e.scaleBytes;for(let i=0;i<l;i++)o(t,r+i*u,t,r+l*u+i*e.scaleBytes,a,c*n+i*e.blockWeights)}return a}var Z=class extends Error{constructor(e){super(e),this.name=`StoreReadError`}};function gn(e,t){let n=e.dense.find(e=>e.name===t);if(!n)throw new Z(`The stored model has no tensor "${t}".`);return n}async function*_n(e,t){for(let n=0;n<t.chunks;n++){let r=ue(e.id,t.name,n),i=await I(r).catch(e=>{throw new Z(`Reading ${k(r)} from the store failed: ${e.message}`)});if(!i)throw new Z(`The stored model is incomplete: record ${k(r)} is missing. Verify or import it again.`);yield[n*t.rowsPerChunk*t.rowStride,i.data]}}async function vn(e,t){let n=new Uint8Array(t.nRows*t.rowStride);for await(let[r,i]of _n(e,t))n.set(new Uint8Array(i),r);return n}function yn(e,t,n){return e.createBuffer({size:Math.max(16,Math.ceil(t/4)*4),usage:GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_DST,label:n})}async function bn(e,t,n){let r=gn(t,n),i=yn(e,r.nRows*r.rowStride,n);for await(let[n,a]of _n(t,r))e.queue.writeBuffer(i,n,a);return{name:n,buffer:i,type:r.type,rowWeights:r.rowWeights,nRows:r.nRows,rowWords:r.rowStride/4}}async function xn(e,t,n){let r=`blk.${n}.attn_kv_b.weight`,i=gn(t,r),{nHead:a,qkNope:o,vHead:s,kvLoraRank:c}=t.hparams,l=hn(at(i.type),await vn(t,i),i.rowWeights,i.nRows,i.rowStride),u=new Float32Array(a*c*o);for(let e=0;e<a;e++)for(let t=0;t<o;t++)for(let n=0;n<c;n++)u[(e*c+n)*o+t]=l[(e*(o+s)+t)*c+n];let d=yn(e,u.byteLength,`${r} (W_UK)`);return e.queue.writeBuffer(d,0,u),{name:`${r} (W_UK)`,buffer:d,type:`F32`,rowWeights:o,nRows:a*c,rowWords:o}}var Sn=class{buffer;slotBytes;slots;lru;constructor(e,t,n){this.buffer=e,this.slotBytes=t,this.slots=n,this.lru=new sn(n)}};const Q=(e,t)=>e*65536+t;var Cn=class e{device;manifest;resident;stats={hits:0,misses:0,bytesRead:0};pools=/* @__PURE__ */ new Map;tables=/* @__PURE__ */ new Map;info=/* @__PURE__ */ new Map;constructor(e,t,n){this.device=e,this.manifest=t,this.resident=n}static async create(t,n,r,i){let a=n.hparams,o=n.experts,s=o.reduce((e,t)=>e+t.recordBytes*a.nExpert,0),c=r===null||r>=s,l=new e(t,n,c);for(let e of o)l.info.set(e.layer,e),l.tables.set(e.layer,t.createBuffer({size:Math.max(16,a.nExpert*4),usage:GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_DST,label:`expert table L${e.layer}`}));let u=c?o.map(e=>[e]):wn(o,r,i);for(let e of u){let n=Math.max(...e.map(e=>e.recordBytes)),s=c?n*a.nExpert:r*e.length/o.length,u=c?a.nExpert:Math.min(e.length*a.nExpert,Math.floor(s/n));if(u<a.nExpertUsed){let t=a.nExpertUsed*n*o.length/e.length/1e6;throw RangeError(`The expert budget is too small: it must hold at least ${a.nExpertUsed} experts at once (${t.toFixed(1)} MB).`)}if(u*n>i)throw RangeError(`An expert pool of ${u*n} bytes exceeds this GPU's largest storage binding (${i} bytes).`);let d=new Sn(t.createBuffer({size:u*n,usage:GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_DST,label:`experts L${e[0].layer}-${e.at(-1).layer}`}),n,u);for(let t of e)l.pools.set(t.layer,d)}if(c){for(let e of o){let t=[...Array(a.nExpert).keys()];for(let n of t)await l.load(e.layer,n,l.pool(e.layer).lru.place(Q(e.layer,n),/* @__PURE__ */ new Set));l.writeTable(e.layer,t)}l.stats.bytesRead=0}return l}slots(e){return this.pool(e).slots}buffers(e){return{experts:this.pool(e).buffer,table:this.tables.get(e),info:this.info.get(e)}}async*waves(e,t){let n=[...new Set(t)].sort((e,t)=>e-t);if(this.resident){this.stats.hits+=n.length,yield n;return}let r=this.pool(e);for(let t=0;t<n.length;t+=r.slots){let i=n.slice(t,t+r.slots);r.lru.tick();let a=new Set(i.map(t=>Q(e,t)));for(let t of i)r.lru.hit(Q(e,t))===void 0?(this.stats.misses++,await this.load(e,t,r.lru.place(Q(e,t),a))):this.stats.hits++;this.writeTable(e,i),yield i}}destroy(){for(let e of new Set(this.pools.values()))e.buffer.destroy();for(let e of this.tables.values())e.destroy()}pool(e){let t=this.pools.get(e);if(!t)throw Error(`layer ${e} has no experts`);return t}async load(e,t,n){let r=this.pool(e),i=de(this.manifest.id,e,t),a=await I(i).catch(e=>{throw new Z(`Reading expert ${k(i)} from the store failed: ${e.message}`)});if(!a)throw new Z(`The stored model is incomplete: expert record ${k(i)} is missing. Verify or import it again.`);this.device.queue.writeBuffer(r.buffer,n*r.slotBytes,a.data),this.stats.bytesRead+=a.data.byteLength}writeTable(e,t){let n=this.pool(e),r=new Uint32Array(this.manifest.hparams.nExpert).fill(4294967295);for(let i of t)r[i]=n.lru.slotOfItem(Q(e,i))*n.slotBytes/4;this.device.queue.writeBuffer(this.tables.get(e),0,r)}};function wn(e,t,n){let r=Math.max(1,Math.ceil(t/n)),i=Math.ceil(e.length/r),a=[];for(let t=0;t<e.length;t+=i)a.push(e.slice(t,t+i));return a}const Tn=/* #__PURE__ */ Object.assign({"../../kernels/embed.wgsl":`// embed: X[t][k] = token_embd[ids[t]][k], dequantized from the stored row layout.
//
// Bindings: 0 W (token_embd, u32 words), 1 ids (u32 per token), 2 X (f32 out), 3 P, 4 S (step: T).
// Layout: X[t][k] = X[t * K + k]. Dispatch: (T, 1, 1) workgroups of 64.

struct Params { K: u32, row_words: u32, _p0: u32, _p1: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let row = ids[t] * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  var w: array<f32, 32>;
  for (var u = lid; u < nb * subs; u += 64u) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let o = t * P.K + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { X[o + i] = w[i]; }
  }
}
`,"../../kernels/matmul.wgsl":`// matmul: Y[z][t][r] (+)= sum_k W[z][r][k] * X[z][t][k], for T tokens and a batch of Z matrices.
//
// W is a quantized (or f16/bf16/f32) tensor in the stored row layout; the decoder for its type is
// spliced in below (kernels/quant/<type>.wgsl). Z batches serve per-head projections (MLA's
// W_UK and W_UV); Z = 1 for plain projections. Decode is T = 1 (a matrix-vector product); prefill
// passes T > 1 and each workgroup decodes a weight once for up to 8 tokens.
//
// Bindings: 0 W (u32 words), 1 X (f32), 2 Y (f32), 3 P (this dispatch's shape), 4 S (the step: T).
// Layout: row r of batch z starts at word w_base + z*w_batch + r*row_words;
//         X[z][t][k] = X[x_base + z*x_batch + t*x_stride + k]; Y likewise with y_*.
// Dispatch: (grid_x, ceil(N / grid_x), Z) workgroups of 64; one workgroup per output row.

struct Params {
  K: u32, N: u32, row_words: u32, w_base: u32,
  w_batch: u32, x_base: u32, x_stride: u32, x_batch: u32,
  y_base: u32, y_stride: u32, y_batch: u32, grid_x: u32,
  accumulate: u32, _p0: u32, _p1: u32, _p2: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

//!include quant

const WG: u32 = 64u;
const TILE: u32 = 8u;
var<workgroup> red: array<f32, 512>; // TILE * WG partial sums

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x + wg.y * P.grid_x;
  if (r >= P.N) { return; } // uniform across the workgroup: every invocation has the same r
  let z = wg.z;
  let row = P.w_base + z * P.w_batch + r * P.row_words;
  let nb = P.K / QK;
  let subs = QK / 32u;
  let units = nb * subs;
  var w: array<f32, 32>;
  for (var t0 = 0u; t0 < S.T; t0 += TILE) {
    var acc = array<f32, 8>(); // explicitly zeroed: SwiftShader kept the previous tile's sums otherwise
    for (var u = lid; u < units; u += WG) {
      let b = u / subs;
      let s = u % subs;
      decode32(row, nb, b, s, &w);
      let k0 = P.x_base + z * P.x_batch + b * QK + s * 32u;
      for (var tt = 0u; tt < TILE; tt++) {
        if (t0 + tt < S.T) {
          let xo = k0 + (t0 + tt) * P.x_stride;
          var sum = 0.0;
          for (var i = 0u; i < 32u; i++) { sum += w[i] * X[xo + i]; }
          acc[tt] += sum;
        }
      }
    }
    for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] = acc[tt]; }
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (lid < stride) {
        for (var tt = 0u; tt < TILE; tt++) { red[tt * WG + lid] += red[tt * WG + lid + stride]; }
      }
      workgroupBarrier();
    }
    if (lid < TILE && t0 + lid < S.T) {
      let yi = P.y_base + z * P.y_batch + (t0 + lid) * P.y_stride + r;
      let v = red[lid * WG];
      Y[yi] = select(v, Y[yi] + v, P.accumulate != 0u);
    }
    workgroupBarrier();
  }
}
`,"../../kernels/mla_attention.wgsl":`// mla_attention: absorbed multi-head latent attention over the latent KV cache, causal.
//
// For head h and token t at position p = pos0 + t, over cached positions s <= p:
//   score(s) = scale * (q_abs[t][h] . c[s] + q_pe[t][h] . k_pe[s])
//   o_lat[t][h] = sum_s softmax(score)(s) * c[s]
// (q_abs = W_UK^T q_nope is computed before; o = W_UV o_lat after.) The softmax is online over
// chunks of 64 positions, so any context length works without scratch memory.
//
// Bindings: 0 QA (f32 [T][H][R] q_abs), 1 Q (f32, q with the roped q_pe inside), 2 C (f32 KV cache
// [n_ctx][R + n_rot] = c | k_pe), 3 O (f32 out [T][H][R]), 4 P, 5 S (step: T, pos0).
// q_pe of head h, token t: Q[t*q_stride + h*q_head + q_pe_off + i]. R <= 512 (8 values per invocation).
// Dispatch: (T, H, 1) workgroups of 64.

struct Params { R: u32, n_rot: u32, H: u32, q_stride: u32, q_head: u32, q_pe_off: u32, scale: f32, _p: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> QA: array<f32>;
@group(0) @binding(1) var<storage, read> Q: array<f32>;
@group(0) @binding(2) var<storage, read> C: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<uniform> S: Step;

var<workgroup> qv: array<f32, 576>;
var<workgroup> pr: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  let h = wg.y;
  if (t >= S.T) { return; }
  let R = P.R;
  let row = R + P.n_rot;
  let qa = (t * P.H + h) * R;
  for (var i = lid; i < R; i += 64u) { qv[i] = QA[qa + i]; }
  for (var i = lid; i < P.n_rot; i += 64u) { qv[R + i] = Q[t * P.q_stride + h * P.q_head + P.q_pe_off + i]; }
  workgroupBarrier();

  let n = S.pos0 + t + 1u; // causal: positions 0 .. p
  var m = -3.0e38;
  var l = 0.0;
  var acc = array<f32, 8>();
  for (var c0 = 0u; c0 < n; c0 += 64u) {
    let s = c0 + lid;
    var score = -3.0e38;
    if (s < n) {
      var dot = 0.0;
      let co = s * row;
      for (var i = 0u; i < row; i++) { dot += qv[i] * C[co + i]; }
      score = dot * P.scale;
    }
    pr[lid] = score;
    workgroupBarrier();
    var cm = m;
    for (var j = 0u; j < 64u; j++) { cm = max(cm, pr[j]); }
    workgroupBarrier();
    pr[lid] = select(0.0, exp(score - cm), s < n);
    workgroupBarrier();
    let f = exp(m - cm);
    var lsum = 0.0;
    for (var j = 0u; j < 64u; j++) { lsum += pr[j]; }
    l = l * f + lsum;
    m = cm;
    for (var k = 0u; k < 8u; k++) {
      let d = lid + k * 64u;
      if (d < R) {
        var a = acc[k] * f;
        for (var j = 0u; j < 64u && c0 + j < n; j++) { a += pr[j] * C[(c0 + j) * row + d]; }
        acc[k] = a;
      }
    }
    workgroupBarrier();
  }
  for (var k = 0u; k < 8u; k++) {
    let d = lid + k * 64u;
    if (d < R) { O[qa + d] = acc[k] / l; }
  }
}
`,"../../kernels/moe_combine.wgsl":`// moe_combine: X[t][i] += sum_j wts[t][j] * Yp[t*k + j][i], the routed experts' weighted sum added to
// the residual stream.
//
// Bindings: 0 Yp (f32 [T*k][D]), 1 wts (f32 [T][k]), 2 X (f32 [T][D], accumulated), 3 P, 4 S (T).
// Dispatch: (ceil(D / 64), T, 1) workgroups of 64.

struct Params { D: u32, k: u32, _p0: u32, _p1: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> Yp: array<f32>;
@group(0) @binding(1) var<storage, read> wts: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wg.x * 64u + lid;
  let t = wg.y;
  if (i >= P.D || t >= S.T) { return; }
  var sum = 0.0;
  for (var j = 0u; j < P.k; j++) { sum += wts[t * P.k + j] * Yp[(t * P.k + j) * P.D + i]; }
  X[t * P.D + i] += sum;
}
`,"../../kernels/moe_matmul.wgsl":`// moe_matmul: for each (token, routed slot) pair p = t*k + j, with expert e = ids[p]:
//   Y[p][r] = sum_c W_e[r][c] * X[x(p)][c]
// where W_e is one part (gate, up or down) of expert e's record in this layer's expert cache, and
// x(p) = t (the token's hidden state, for gate/up) or p (the pair's activation, for down).
//
// The cache maps experts to record offsets through \`table\` (u32 words; 0xffffffff = not on the GPU
// now: that pair is left for a later wave of paging). Rows are in the stored row layout.
// Bindings: 0 W (the layer's expert cache, u32), 1 X (f32), 2 Y (f32 out [pairs][N]), 3 P,
// 4 S (step: T), 5 ids (u32 [T][k]), 6 table (u32 [E]).
// Dispatch: (grid_x, ceil(N / grid_x), T*k) workgroups of 64; one workgroup per row per pair.

struct Params {
  K: u32, N: u32, row_words: u32, part_words: u32,
  x_stride: u32, x_per_pair: u32, k: u32, grid_x: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;
@group(0) @binding(5) var<storage, read> ids: array<u32>;
@group(0) @binding(6) var<storage, read> table: array<u32>;

//!include quant

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.x + wg.y * P.grid_x;
  let pair = wg.z;
  if (r >= P.N || pair >= S.T * P.k) { return; }
  let slot = table[ids[pair]];
  if (slot == 0xffffffffu) { return; }
  let row = slot + P.part_words + r * P.row_words;
  let xo = select(pair / P.k, pair, P.x_per_pair != 0u) * P.x_stride;
  let nb = P.K / QK;
  let subs = QK / 32u;
  var w: array<f32, 32>;
  var acc = 0.0;
  for (var u = lid; u < nb * subs; u += 64u) {
    let b = u / subs;
    let s = u % subs;
    decode32(row, nb, b, s, &w);
    let x0 = xo + b * QK + s * 32u;
    for (var i = 0u; i < 32u; i++) { acc += w[i] * X[x0 + i]; }
  }
  red[lid] = acc;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { Y[pair * P.N + r] = red[0]; }
}
`,"../../kernels/moe_route.wgsl":`// moe_route: the router's choice per token. From the router logits over E experts: probabilities by
// softmax (gating 0) or sigmoid (gating 1); the k most probable experts (lowest index on ties); their
// weights p[e] (divided by their sum when norm = 1), times \`scale\`.
//
// Bindings: 0 L (f32 [T][E] logits), 1 ids (u32 out [T][k]), 2 wts (f32 out [T][k]), 3 P, 4 S (T).
// Dispatch: (T, 1, 1) workgroups of 64; E <= 256, k <= 16.

struct Params { E: u32, k: u32, gating: u32, norm: u32, scale: f32, _p0: u32, _p1: u32, _p2: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> wts: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

var<workgroup> p: array<f32, 256>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wg.x;
  if (t >= S.T) { return; }
  let lo = t * P.E;
  for (var e = lid; e < P.E; e += 64u) { p[e] = L[lo + e]; }
  workgroupBarrier();
  if (lid != 0u) { return; }
  if (P.gating == 0u) {
    var mx = -3.0e38;
    for (var e = 0u; e < P.E; e++) { mx = max(mx, p[e]); }
    var sum = 0.0;
    for (var e = 0u; e < P.E; e++) { p[e] = exp(p[e] - mx); sum += p[e]; }
    for (var e = 0u; e < P.E; e++) { p[e] = p[e] / sum; }
  } else {
    for (var e = 0u; e < P.E; e++) { p[e] = 1.0 / (1.0 + exp(-p[e])); }
  }
  var chosen: array<u32, 16>;
  var total = 0.0;
  for (var j = 0u; j < P.k; j++) {
    var best = 0u;
    var bv = -1.0;
    for (var e = 0u; e < P.E; e++) {
      if (p[e] > bv) { bv = p[e]; best = e; }
    }
    chosen[j] = best;
    total += bv;
    p[best] = -2.0; // taken
  }
  for (var j = 0u; j < P.k; j++) {
    let e = chosen[j];
    ids[t * P.k + j] = e;
  }
  // p[] was overwritten for the chosen ones: recompute their weights from the logits.
  var mx = -3.0e38;
  var sum = 0.0;
  if (P.gating == 0u) {
    for (var e = 0u; e < P.E; e++) { mx = max(mx, L[lo + e]); }
    for (var e = 0u; e < P.E; e++) { sum += exp(L[lo + e] - mx); }
  }
  for (var j = 0u; j < P.k; j++) {
    let x = L[lo + chosen[j]];
    var w = select(1.0 / (1.0 + exp(-x)), exp(x - mx) / sum, P.gating == 0u);
    if (P.norm != 0u) { w = w / total; }
    wts[t * P.k + j] = w * P.scale;
  }
}
`,"../../kernels/quant/bf16.wgsl":`// BF16 rows: 32 values (16 words) per "block"; a bf16 is the top half of an f32.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let v = W[base + i];
    (*w)[2u * i] = bitcast<f32>(v << 16u);
    (*w)[2u * i + 1u] = bitcast<f32>(v & 0xffff0000u);
  }
}
`,"../../kernels/quant/common.wgsl":`// Shared helpers for the per-type decoders (kernels/quant/*.wgsl).
//
// Every decoder reads weights in the stored row layout (workers/store/layout.ts): a row of nb blocks is
// the nb block bodies, then the nb scale fields (f16 values, SCALE_BYTES per block), 4-byte aligned.
// \`row\` is the u32 index of the row's first word in W, which the including kernel binds.

// Byte \`i\` of the bytes that start at word \`base\`.
fn byte_at(base: u32, i: u32) -> u32 {
  return (W[base + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xffu;
}

// The k-th f16 of block b's scale fields, as f32.
fn scale_f16(row: u32, nb: u32, b: u32, k: u32) -> f32 {
  let byte_off = nb * BODY_WORDS * 4u + b * SCALE_BYTES + k * 2u;
  let pair = unpack2x16float(W[row + (byte_off >> 2u)]);
  return select(pair.x, pair.y, (byte_off & 2u) != 0u);
}
`,"../../kernels/quant/f16.wgsl":`// F16 rows: 32 halves (16 words) per "block"; no scales.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 16u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 16u;
  for (var i = 0u; i < 16u; i++) {
    let p = unpack2x16float(W[base + i]);
    (*w)[2u * i] = p.x;
    (*w)[2u * i + 1u] = p.y;
  }
}
`,"../../kernels/quant/f32.wgsl":`// F32 rows: 32 consecutive floats make a "block" for the kernels' loops (rows must be multiples of 32).
const QK: u32 = 32u;
const BODY_WORDS: u32 = 32u;
const SCALE_BYTES: u32 = 0u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let base = row + b * 32u;
  for (var i = 0u; i < 32u; i++) { (*w)[i] = bitcast<f32>(W[base + i]); }
}
`,"../../kernels/quant/q4_0.wgsl":`// Q4_0: 32 weights per block; body = 16 bytes of nibbles, scale = f16 d.
// w[j] = (lo(q[j]) - 8) * d, w[j + 16] = (hi(q[j]) - 8) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = (f32(q & 15u) - 8.0) * d;
    (*w)[j + 16u] = (f32(q >> 4u) - 8.0) * d;
  }
}
`,"../../kernels/quant/q4_1.wgsl":`// Q4_1: 32 weights per block; body = 16 bytes of nibbles, scales = f16 d, f16 m.
// w[j] = lo(q[j]) * d + m, w[j + 16] = hi(q[j]) * d + m.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 4u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let m = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base, j);
    (*w)[j] = f32(q & 15u) * d + m;
    (*w)[j + 16u] = f32(q >> 4u) * d + m;
  }
}
`,"../../kernels/quant/q4_k.wgsl":`// Q4_K: 256 weights per block in 8 sub-blocks of 32; body = 12 bytes of packed 6-bit scales and mins,
// then 128 bytes of nibbles; scales = f16 d, f16 dmin.
// Sub-block s uses bytes [32*(s/2), +32) of the nibbles, low nibbles when s is even, high when odd:
// w = d * sc[s] * q - dmin * m[s].
const QK: u32 = 256u;
const BODY_WORDS: u32 = 35u;
const SCALE_BYTES: u32 = 4u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let dmin = scale_f16(row, nb, b, 1u);
  let base = row + b * BODY_WORDS;
  var sc: u32;
  var mn: u32;
  if (s < 4u) {
    sc = byte_at(base, s) & 63u;
    mn = byte_at(base, s + 4u) & 63u;
  } else {
    sc = (byte_at(base, s + 4u) & 15u) | ((byte_at(base, s - 4u) >> 6u) << 4u);
    mn = (byte_at(base, s + 4u) >> 4u) | ((byte_at(base, s) >> 6u) << 4u);
  }
  let d1 = d * f32(sc);
  let m1 = dmin * f32(mn);
  let shift = (s & 1u) * 4u;
  let q0 = 12u + (s >> 1u) * 32u;
  for (var l = 0u; l < 32u; l++) {
    (*w)[l] = d1 * f32((byte_at(base, q0 + l) >> shift) & 15u) - m1;
  }
}
`,"../../kernels/quant/q5_0.wgsl":`// Q5_0: 32 weights per block; body = 4 bytes of high bits (qh) then 16 bytes of nibbles; scale = f16 d.
// w[j] = ((lo(q[j]) | bit j of qh << 4) - 16) * d, w[j + 16] = ((hi(q[j]) | bit j+16 of qh << 4) - 16) * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 5u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let qh = W[base];
  for (var j = 0u; j < 16u; j++) {
    let q = byte_at(base + 1u, j);
    let h0 = ((qh >> j) & 1u) << 4u;
    let h1 = ((qh >> (j + 16u)) & 1u) << 4u;
    (*w)[j] = (f32((q & 15u) | h0) - 16.0) * d;
    (*w)[j + 16u] = (f32((q >> 4u) | h1) - 16.0) * d;
  }
}
`,"../../kernels/quant/q6_k.wgsl":`// Q6_K: 256 weights per block in 8 sub-blocks of 32; body = 128 bytes of low nibbles (ql), 64 bytes of
// high bit pairs (qh), 16 int8 scales; scale = f16 d (last in the ggml block).
// Sub-block s: half h = s / 4 (weights 128h..), quarter q = s % 4; for l < 32:
// ql byte 64h + l + 32(q & 1), high nibble when q >= 2; qh byte 32h + l, bits 2q..2q+1;
// w = d * scale[8h + 2q + l / 16] * (q6 - 32).
const QK: u32 = 256u;
const BODY_WORDS: u32 = 52u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  let h = s >> 2u;
  let q = s & 3u;
  let ql0 = 64u * h + 32u * (q & 1u);
  let lo_shift = select(0u, 4u, q >= 2u);
  for (var l = 0u; l < 32u; l++) {
    let lo = (byte_at(base, ql0 + l) >> lo_shift) & 15u;
    let hi = (byte_at(base, 128u + 32u * h + l) >> (2u * q)) & 3u;
    let sc = f32(extractBits(bitcast<i32>(byte_at(base, 192u + 8u * h + 2u * q + (l >> 4u))), 0u, 8u));
    (*w)[l] = d * sc * (f32(lo | (hi << 4u)) - 32.0);
  }
}
`,"../../kernels/quant/q8_0.wgsl":`// Q8_0: 32 weights per block; body = 32 signed bytes; scale = f16 d. w[j] = q[j] * d.
const QK: u32 = 32u;
const BODY_WORDS: u32 = 8u;
const SCALE_BYTES: u32 = 2u;

fn decode32(row: u32, nb: u32, b: u32, s: u32, w: ptr<function, array<f32, 32>>) {
  let d = scale_f16(row, nb, b, 0u);
  let base = row + b * BODY_WORDS;
  for (var i = 0u; i < 8u; i++) {
    let v = bitcast<i32>(W[base + i]);
    for (var k = 0u; k < 4u; k++) {
      (*w)[4u * i + k] = f32(extractBits(v, k * 8u, 8u)) * d;
    }
  }
}
`,"../../kernels/rmsnorm.wgsl":`// rmsnorm: Y[row] = X[row] / sqrt(mean(X[row]^2) + eps) * g, over \`dim\` values, in f32.
//
// Serves the attention and FFN norms, the final norm (last token only), and the norm of MLA's latent
// c, which it writes straight into the KV cache at the token's position.
// Bindings: 0 X (f32), 1 g (f32 weights), 2 Y (f32 out), 3 P, 4 S (step: T, pos0).
// Layout: X[t] starts at x_base + t*x_stride. Y's row is t, or pos0 + t when y_at_pos = 1, or 0 for
// the last token alone when last_only = 1; it starts at y_base + row*y_stride.
// Dispatch: (T, 1, 1) workgroups of 64, or (1, 1, 1) with last_only.

struct Params {
  dim: u32, x_base: u32, x_stride: u32, y_base: u32,
  y_stride: u32, y_at_pos: u32, last_only: u32, eps: f32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var t = wg.x;
  if (P.last_only != 0u) { t = S.T - 1u; }
  if (t >= S.T) { return; }
  let xo = P.x_base + t * P.x_stride;
  var ss = 0.0;
  for (var i = lid; i < P.dim; i += 64u) { let v = X[xo + i]; ss += v * v; }
  part[lid] = ss;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { part[lid] += part[lid + stride]; }
    workgroupBarrier();
  }
  let inv = 1.0 / sqrt(part[0] / f32(P.dim) + P.eps);
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  if (P.last_only != 0u) { row = 0u; }
  let yo = P.y_base + row * P.y_stride;
  for (var i = lid; i < P.dim; i += 64u) { Y[yo + i] = X[xo + i] * inv * g[i]; }
}
`,"../../kernels/rope.wgsl":`// rope: rotates adjacent pairs (x[2i], x[2i+1]) of each head's rope slice by the angle of the token's
// position (DeepSeek-V2 pairs neighbours, not NeoX halves). The YaRN angles are computed on the host
// in f64 for this step's positions and arrive as a cos/sin table, so no large-argument sin/cos runs
// in f32 here.
//
// Bindings: 0 X (f32), 1 cs (f32 [T][n_rot/2][2] = cos, sin), 2 Y (f32 out; may alias nothing), 3 P,
// 4 S (step: T, pos0).
// Layout: head h of token t reads X[x_base + t*x_stride + h*x_head + 2i (+1)] and writes
// Y[y_base + row*y_stride + h*y_head + 2i (+1)], row = t, or pos0 + t when y_at_pos = 1 (the KV cache).
// Dispatch: (T, heads, 1) workgroups of 32 (one invocation per pair).

struct Params {
  n_rot: u32, x_base: u32, x_stride: u32, x_head: u32,
  y_base: u32, y_stride: u32, y_head: u32, y_at_pos: u32,
}
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> cs: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let half = P.n_rot / 2u;
  if (t >= S.T || i >= half) { return; }
  let c = cs[(t * half + i) * 2u];
  let s = cs[(t * half + i) * 2u + 1u];
  let xo = P.x_base + t * P.x_stride + h * P.x_head + 2u * i;
  let x0 = X[xo];
  let x1 = X[xo + 1u];
  var row = t;
  if (P.y_at_pos != 0u) { row = S.pos0 + t; }
  let yo = P.y_base + row * P.y_stride + h * P.y_head + 2u * i;
  Y[yo] = x0 * c - x1 * s;
  Y[yo + 1u] = x0 * s + x1 * c;
}
`,"../../kernels/sample.wgsl":`// sample: the last pass of a sampling step (workers/runtime/sampler.ts); one workgroup writes the result.
//  - Merges the per-workgroup top-5 raw logits and greedy picks of sample_prep.
//  - Greedy (P.mode 0): the pick is the best penalized key, lowest id on ties. Done.
//  - Sampling: sorts the C candidates of sample_collect (bitonic, by key descending then id ascending),
//    then one invocation, in candidate order: weights e_c = exp(v_c - v_0) by exp_neg below; running
//    sums c_c; keeps the first n with c_(n-1) >= top_p * c_(C-1); draws u in [0, 1) from
//    pcg(pcg(seed) + step); picks the first c < n with c_c > u * c_(n-1). Every float operation is a
//    single correctly rounded + - * (WGSL's exp and / are not), in a fixed order, so the CPU reference
//    (workers/runtime/sampling-reference.ts) reproduces it bit for bit.
//
// Bindings: 0 W per-workgroup results of sample_prep (u32[G*12]), 1 Cand (u32[2*1024] key/id pairs),
//           2 R result (u32[16]), 3 P params (P.G: how many workgroups sample_prep ran).
// Result:   R[0] chosen id, R[1] candidates kept by top_p, R[2] C, R[3] rank of the pick among them,
//           R[4..8] top-5 raw ids (0xffffffff: none), R[9..13] their keys (see sample_prep), R[14] u bits,
//           R[15] bits of the weight sum c_(C-1) (1 when greedy).
// Dispatch: 1 workgroup of 256.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}

@group(0) @binding(0) var<storage, read> W: array<u32>;
@group(0) @binding(1) var<storage, read> Cand: array<u32>;
@group(0) @binding(2) var<storage, read_write> R: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const TOP: u32 = 5u;
const MAX_CAND: u32 = 1024u;
const NONE: u32 = 0xffffffffu;

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

fn float_of(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// exp(x) for x <= 0: x = k ln2 + r (Cody-Waite), degree-6 Taylor of r, times 2^k. 0 below -86, so
// 2^k stays normal. Constants by their bits: a decimal literal's rounding to f32 is not pinned down.
fn exp_neg(x: f32) -> f32 {
  if (!(x >= -86.0)) { return 0.0; }
  let k = floor(x * bitcast<f32>(0x3fb8aa3bu) + 0.5);
  let r = (x - k * bitcast<f32>(0x3f317200u)) - k * bitcast<f32>(0x35bfbe8eu);
  var p = bitcast<f32>(0x3ab60b61u);       // 1/720
  p = p * r + bitcast<f32>(0x3c088889u);   // 1/120
  p = p * r + bitcast<f32>(0x3d2aaaabu);   // 1/24
  p = p * r + bitcast<f32>(0x3e2aaaabu);   // 1/6
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * bitcast<f32>(u32(i32(k) + 127) << 23u);
}

var<workgroup> sk: array<u32, 1024>;
var<workgroup> si: array<u32, 1024>;
var<workgroup> cum: array<f32, 1024>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    var mk = array<u32, 5>(0u, 0u, 0u, 0u, 0u);
    var mi = array<u32, 5>(NONE, NONE, NONE, NONE, NONE);
    var best_k = 0u;
    var best_i = NONE;
    for (var g = 0u; g < P.G; g++) {
      for (var j = 0u; j < TOP; j++) {
        let k = W[g * 12u + j];
        let i = W[g * 12u + 5u + j];
        if (better(k, i, mk[TOP - 1u], mi[TOP - 1u])) {
          var n = TOP - 1u;
          while (n > 0u && better(k, i, mk[n - 1u], mi[n - 1u])) { mk[n] = mk[n - 1u]; mi[n] = mi[n - 1u]; n--; }
          mk[n] = k; mi[n] = i;
        }
      }
      if (better(W[g * 12u + 10u], W[g * 12u + 11u], best_k, best_i)) { best_k = W[g * 12u + 10u]; best_i = W[g * 12u + 11u]; }
    }
    for (var j = 0u; j < TOP; j++) { R[4u + j] = mi[j]; R[9u + j] = mk[j]; }
    if (P.mode == 0u) { R[0] = best_i; R[1] = 1u; R[2] = 1u; R[3] = 0u; R[14] = 0u; R[15] = bitcast<u32>(1.0); }
  }
  if (P.mode == 0u) { return; }

  var n = 1u;
  while (n < P.C) { n <<= 1u; }
  for (var i = lid; i < n; i += WG) {
    if (i < P.C) { sk[i] = Cand[2u * i]; si[i] = Cand[2u * i + 1u]; } else { sk[i] = 0u; si[i] = NONE; }
  }
  workgroupBarrier();
  for (var k = 2u; k <= n; k <<= 1u) {
    for (var j = k >> 1u; j > 0u; j >>= 1u) {
      for (var i = lid; i < n; i += WG) {
        let p = i ^ j;
        if (p > i) {
          // blocks with (i & k) == 0 end up best first, the others worst first; the last k is all of n
          let swap = select(better(sk[i], si[i], sk[p], si[p]), better(sk[p], si[p], sk[i], si[i]), (i & k) == 0u);
          if (swap) {
            let tk = sk[i]; sk[i] = sk[p]; sk[p] = tk;
            let ti = si[i]; si[i] = si[p]; si[p] = ti;
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (lid != 0u) { return; }

  let v0 = float_of(sk[0]);
  var sum = 0.0;
  for (var c = 0u; c < P.C; c++) {
    let e = select(exp_neg(float_of(sk[c]) - v0), 1.0, c == 0u);
    sum = sum + e;
    cum[c] = sum;
  }
  let threshold = P.top_p * sum;
  var kept = P.C;
  for (var c = 0u; c < P.C; c++) { if (cum[c] >= threshold) { kept = c + 1u; break; } }
  let h = pcg(pcg(P.seed) + P.step);
  let u = f32(h >> 8u) * bitcast<f32>(0x33800000u); // 2^-24
  let goal = u * cum[kept - 1u];
  var pick = NONE;
  for (var c = 0u; c < kept; c++) { if (cum[c] > goal) { pick = c; break; } }
  if (pick == NONE) { // u * total rounded up to total: the last candidate that still added weight
    pick = kept - 1u;
    while (pick > 0u && !(cum[pick] > cum[pick - 1u])) { pick--; }
  }
  R[0] = si[pick]; R[1] = kept; R[2] = P.C; R[3] = pick; R[14] = bitcast<u32>(u); R[15] = bitcast<u32>(sum);
}
`,"../../kernels/sample_collect.wgsl":`// sample_collect: writes the top C tokens found by the radix select (sample_hist, sample_scan) as
// (key, id) pairs, in no particular order: the set is exact, sample.wgsl sorts it.
//
// Token i is in when its composite key (K[i], t = 0xffffff - i), cut to the decided digits, is >= the
// decided prefix: (K[i] & mask_hi) > pre_hi, or equal there and (t & mask_lo) >= pre_lo. Exactly C
// tokens pass (composite keys are distinct), each taking a slot from S.count.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (u32[16]; count is the atomic cursor),
//           2 Cand (u32[2*1024]: Cand[2s] key, Cand[2s+1] id), 3 P params.
// Dispatch: ceil(V / 4096) workgroups of 256, as sample_hist.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}
struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: atomic<u32>,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: State;
@group(0) @binding(2) var<storage, read_write> Cand: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 16u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let mh = S.mask_hi;
  let ph = S.pre_hi;
  let ml = S.mask_lo;
  let pl = S.pre_lo;
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    let k = K[i] & mh;
    if (k > ph || (k == ph && ((0xffffffu - i) & ml) >= pl)) {
      let slot = atomicAdd(&S.count, 1u);
      if (slot < P.C) { Cand[2u * slot] = K[i]; Cand[2u * slot + 1u] = i; }
    }
  }
}
`,"../../kernels/sample_hist.wgsl":`// sample_hist: one level of the radix select that finds the top C tokens (workers/runtime/sampler.ts).
//
// Tokens are ranked by a 56-bit composite key: the 32-bit selection key K[i] (see sample_prep), then
// 24 bits of t = 0xffffff - i, so that among equal keys the lower id ranks higher and every composite
// key is distinct: exactly C tokens rank at or above the C-th. The select walks the composite key in
// 8-bit digits from the top, levels 0-3 over K[i] and 4-6 over t. At each level this pass counts, per
// value of the current digit, the tokens whose already-decided digits equal the prefix found so far
// (S.pre_hi/pre_lo under S.mask_hi/mask_lo); sample_scan then picks the digit. Once the select is
// done (S.done), the remaining levels return at once.
//
// Bindings: 0 K keys (u32[V]), 1 S select state (u32[16], read), 2 Hist (atomic u32[256]), 3 P params.
// Dispatch: ceil(V / 4096) workgroups of 256; invocation l of workgroup g reads g*4096 + l + 256*e.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}
struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: u32,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> K: array<u32>;
@group(0) @binding(1) var<storage, read> S: State;
@group(0) @binding(2) var<storage, read_write> Hist: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 16u;

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (S.done != 0u) { return; } // a read-only binding: uniform across the workgroup
  atomicStore(&local_hist[lid], 0u);
  workgroupBarrier();
  let lo = S.level >= 4u;
  let shift = select(24u - 8u * S.level, 16u - 8u * (S.level - 4u), lo);
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    let k = K[i];
    let t = 0xffffffu - i;
    if ((k & S.mask_hi) == S.pre_hi && (t & S.mask_lo) == S.pre_lo) {
      atomicAdd(&local_hist[(select(k, t, lo) >> shift) & 0xffu], 1u);
    }
  }
  workgroupBarrier();
  let c = atomicLoad(&local_hist[lid]);
  if (c != 0u) { atomicAdd(&Hist[lid], c); }
}
`,"../../kernels/sample_prep.wgsl":`// sample_prep: the first pass of a sampling step (workers/runtime/sampler.ts). Reads the logits once:
//  - K[i] = the selection key of token i: its logit after the repetition penalty (positive times
//    1/penalty, negative times penalty, when bit i of the history set is on) and, when sampling, times
//    1/temperature, as an order-preserving u32 (key order = float order; -0 = +0; NaN counts as -inf);
//  - per workgroup, the 5 highest raw logits and the highest key (the greedy pick), as (key, id) pairs
//    ordered by key descending then id ascending, so every pass breaks ties the same way;
//  - workgroup 0 resets the radix-select state and histogram that sample_hist/sample_scan use.
//
// Bindings: 0 L logits (f32; token i at L[P.base + i]), 1 H history set (bit i%32 of word i/32),
//           2 K keys (u32[V]), 3 W per-workgroup results (u32[G*12]), 4 Hist (u32[256]),
//           5 S select state (u32[16], see sample_scan), 6 P the step's parameters.
// Layout: W[g*12 + 0..4] the top-5 raw keys of workgroup g, [5..9] their ids, [10] best key, [11] its id.
// Dispatch: ceil(V / 4096) workgroups of 256; invocation l of workgroup g reads 16 logits,
//           g*4096 + l + 256*e, so that neighbouring invocations read neighbouring words.

struct Params {
  V: u32, C: u32, mode: u32, seed: u32,
  step: u32, base: u32, G: u32, _p1: u32,
  inv_temp: f32, penalty: f32, inv_penalty: f32, top_p: f32,
}
struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: u32,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read> L: array<f32>;
@group(0) @binding(1) var<storage, read> H: array<u32>;
@group(0) @binding(2) var<storage, read_write> K: array<u32>;
@group(0) @binding(3) var<storage, read_write> W: array<u32>;
@group(0) @binding(4) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(5) var<storage, read_write> S: State;
@group(0) @binding(6) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 16u;
const TOP: u32 = 5u;
const NONE: u32 = 0xffffffffu; // id of an empty slot; its key 0 is below every real key (-inf is 0x007fffff)

fn key_of(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let k = select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
  return select(k, 0x80000000u, k == 0x7fffffffu);
}

fn better(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

var<workgroup> tk: array<u32, 1280>; // TOP per invocation
var<workgroup> ti: array<u32, 1280>;
var<workgroup> bk: array<u32, 256>;
var<workgroup> bi: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (wg.x == 0u && lid == 0u) {
    S.level = 0u; S.need = P.C; S.pre_hi = 0u; S.pre_lo = 0u;
    S.mask_hi = 0u; S.mask_lo = 0u; S.done = 0u; S.count = 0u;
  }
  if (wg.x == 0u) { Hist[lid] = 0u; }

  var mk = array<u32, 5>(0u, 0u, 0u, 0u, 0u);
  var mi = array<u32, 5>(NONE, NONE, NONE, NONE, NONE);
  var best_k = 0u;
  var best_i = NONE;
  for (var e = 0u; e < PER; e++) {
    let i = wg.x * WG * PER + e * WG + lid;
    if (i >= P.V) { break; }
    var b = bitcast<u32>(L[P.base + i]);
    if ((b & 0x7fffffffu) > 0x7f800000u) { b = 0xff800000u; } // NaN -> -inf
    var v = bitcast<f32>(b);
    let raw = key_of(v);
    // ids rise through this loop, so a strict comparison keeps the lower id among equal keys
    if (raw > mk[TOP - 1u]) {
      var j = TOP - 1u;
      while (j > 0u && raw > mk[j - 1u]) { mk[j] = mk[j - 1u]; mi[j] = mi[j - 1u]; j--; }
      mk[j] = raw; mi[j] = i;
    }
    if (((H[i >> 5u] >> (i & 31u)) & 1u) != 0u) { v = v * select(P.penalty, P.inv_penalty, v > 0.0); }
    if (P.mode != 0u) { v = v * P.inv_temp; }
    let k = key_of(v);
    K[i] = k;
    if (best_i == NONE || k > best_k) { best_k = k; best_i = i; }
  }
  for (var j = 0u; j < TOP; j++) { tk[lid * TOP + j] = mk[j]; ti[lid * TOP + j] = mi[j]; }
  bk[lid] = best_k; bi[lid] = best_i;
  workgroupBarrier();

  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let a = lid * TOP;
      let c = (lid + s) * TOP;
      var ia = 0u;
      var ic = 0u;
      for (var n = 0u; n < TOP; n++) { // ia + ic = n < TOP: neither list runs out
        if (better(tk[a + ia], ti[a + ia], tk[c + ic], ti[c + ic])) {
          mk[n] = tk[a + ia]; mi[n] = ti[a + ia]; ia++;
        } else {
          mk[n] = tk[c + ic]; mi[n] = ti[c + ic]; ic++;
        }
      }
      for (var n = 0u; n < TOP; n++) { tk[a + n] = mk[n]; ti[a + n] = mi[n]; }
      if (better(bk[lid + s], bi[lid + s], bk[lid], bi[lid])) { bk[lid] = bk[lid + s]; bi[lid] = bi[lid + s]; }
    }
    workgroupBarrier();
  }
  if (lid < TOP) {
    W[wg.x * 12u + lid] = tk[lid];
    W[wg.x * 12u + 5u + lid] = ti[lid];
  }
  if (lid == 0u) { W[wg.x * 12u + 10u] = bk[0]; W[wg.x * 12u + 11u] = bi[0]; }
}
`,"../../kernels/sample_scan.wgsl":`// sample_scan: decides one digit of the radix select (see sample_hist) from its histogram, in one
// invocation (256 bins: cheaper than a parallel scan's barriers).
//
// Walking the bins from the highest digit down, it finds digit d where the count of tokens in higher
// bins (all of them in the top C) plus Hist[d] first reaches S.need, the tokens still wanted among
// those matching the prefix. d joins the prefix; S.need drops by the count above it. If bin d holds
// exactly S.need tokens, they are all in: the select is done, and the top C are the tokens whose
// composite key, cut to the decided digits, is >= the prefix (sample_collect). The histogram is zeroed
// for the next level.
//
// Bindings: 0 Hist (u32[256]), 1 S select state (u32[16]):
//   level (next digit, 0-6), need, pre_hi, pre_lo (decided bits of key and of t), mask_hi, mask_lo
//   (which bits are decided), done, count (sample_collect's output cursor).
// Dispatch: 1 workgroup of 1, after each sample_hist.

struct State {
  level: u32, need: u32, pre_hi: u32, pre_lo: u32,
  mask_hi: u32, mask_lo: u32, done: u32, count: u32,
  _p: array<u32, 8>,
}

@group(0) @binding(0) var<storage, read_write> Hist: array<u32>;
@group(0) @binding(1) var<storage, read_write> S: State;

@compute @workgroup_size(1)
fn main() {
  if (S.done != 0u) { return; }
  var above = 0u;
  var d = 0u;
  var found = false;
  for (var b = 255i; b >= 0; b--) {
    let h = Hist[b];
    if (above + h >= S.need) { d = u32(b); found = true; break; }
    above += h;
  }
  let need = S.need - select(0u, above, found);
  let in_bin = Hist[d];
  for (var b = 0u; b < 256u; b++) { Hist[b] = 0u; }
  if (S.level < 4u) {
    let shift = 24u - 8u * S.level;
    S.pre_hi |= d << shift;
    S.mask_hi |= 0xffu << shift;
  } else {
    let shift = 16u - 8u * (S.level - 4u);
    S.pre_lo |= d << shift;
    S.mask_lo |= 0xffu << shift;
  }
  S.need = need;
  // !found cannot happen (need <= tokens matching the prefix); stopping keeps collect in bounds anyway
  S.done = select(0u, 1u, in_bin == need || !found || S.level >= 6u);
  S.level += 1u;
}
`,"../../kernels/silu_mul.wgsl":`// silu_mul: A[i] = silu(G[i]) * U[i] = G[i] / (1 + exp(-G[i])) * U[i], for i < rows * n.
//
// Bindings: 0 G (f32), 1 U (f32), 2 A (f32 out), 3 P, 4 S (step: T). rows = T * rows_per_token.
// Dispatch: (ceil(n_max / 256) over a 2-D grid: x + y * grid_x) workgroups of 256.

struct Params { n: u32, rows_per_token: u32, grid_x: u32, _p: u32 }
struct Step { T: u32, pos0: u32, n_ctx: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> G: array<f32>;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * P.grid_x) * 256u + lid;
  if (i >= S.T * P.rows_per_token * P.n) { return; }
  let g = G[i];
  A[i] = g / (1.0 + exp(-g)) * U[i];
}
`});function En(e){let t=Tn[`../../kernels/${e}.wgsl`];if(t===void 0)throw Error(`no kernel source kernels/${e}.wgsl`);return t}function Dn(e,t){let n=En(e);if(!n.includes(`//!include quant`))return n;if(!t)throw Error(`kernel ${e} reads weights: give their type`);return n.replace(`//!include quant`,`${En(`quant/${t.toLowerCase()}`)}\n${En(`quant/common`)}`)}var On=class{device;pipelines=/* @__PURE__ */ new Map;constructor(e){this.device=e}pipeline(e,t){let n=t?`${e}:${t}`:e,r=this.pipelines.get(n);if(!r){let i=this.device.createShaderModule({code:Dn(e,t),label:n});r=this.device.createComputePipeline({layout:`auto`,compute:{module:i,entryPoint:`main`},label:n}),this.pipelines.set(n,r)}return r}uniform(e,t,n=/* @__PURE__ */ new Set){let r=Math.ceil(e.length/4)*4,i=this.device.createBuffer({size:r*4,usage:GPUBufferUsage.UNIFORM|GPUBufferUsage.COPY_DST,label:t}),a=/* @__PURE__ */ new ArrayBuffer(r*4),o=new Uint32Array(a),s=new Float32Array(a);return e.forEach((e,t)=>{n.has(t)?s[t]=e:o[t]=e}),this.device.queue.writeBuffer(i,0,a),i}};function kn(e,t,n,r){return e.createBindGroup({layout:t.getBindGroupLayout(0),entries:n.map((e,t)=>({binding:t,resource:e instanceof GPUBuffer?{buffer:e}:e})),label:r})}function An(e,t,n){for(let r of t){let[t,i,a]=typeof r.workgroups==`function`?r.workgroups(n):r.workgroups;t*i*a!==0&&(e.setPipeline(r.pipeline),e.setBindGroup(0,r.bindGroup),e.dispatchWorkgroups(t,i,a))}}const jn=16384,Mn=e=>[Math.min(e,jn),Math.ceil(e/jn)];var Nn=class{device;kernels;S;constructor(e,t,n){this.device=e,this.kernels=t,this.S=n}dispatch(e,t,n,r,i,a,o,s=this.S){let c=this.kernels.pipeline(t,n),l=this.kernels.uniform(i,`${e} params`,new Set(a)),u=[...r.slice(0,3),l,s,...r.slice(3)];return{label:e,pipeline:c,bindGroup:kn(this.device,c,u,e),workgroups:o}}matmul(e,t,n,r,i,a){let o=i.N??t.nRows,[s,c]=Mn(o),l=[t.rowWeights,o,t.rowWords,i.wBase??0,i.wBatch??0,i.xBase??0,i.xStride,i.xBatch??0,i.yBase??0,i.yStride,i.yBatch??0,s,+!!i.accumulate];return this.dispatch(e,`matmul`,t.type,[t.buffer,n,r],l,[],[s,c,i.Z??1],a)}embed(e,t,n){return this.dispatch(`embed`,`embed`,e.type,[e.buffer,t,n],[e.rowWeights,e.rowWords],[],e=>[e.T,1,1])}rmsnorm(e,t,n,r,i){let a=[i.dim,i.xBase??0,i.xStride,i.yBase??0,i.yStride,+!!i.atPosition,+!!i.lastOnly,i.eps];return this.dispatch(e,`rmsnorm`,void 0,[t,n.buffer,r],a,[7],i.lastOnly?[1,1,1]:e=>[e.T,1,1])}rope(e,t,n,r,i){let a=[i.nRot,i.xBase,i.xStride,i.xHead,i.yBase,i.yStride,i.yHead,+!!i.atPosition];return this.dispatch(e,`rope`,void 0,[t,n,r],a,[],e=>[e.T,i.heads,1])}attention(e,t,n,r,i,a){let o=this.kernels.pipeline(`mla_attention`),s=this.kernels.uniform([a.R,a.nRot,a.H,a.H*a.nRot,a.nRot,0,a.scale],`${e} params`,/* @__PURE__ */ new Set([6]));return{label:e,pipeline:o,bindGroup:kn(this.device,o,[t,n,r,i,s,this.S],e),workgroups:e=>[e.T,a.H,1]}}siluMul(e,t,n,r,i,a,o){let[s]=Mn(Math.ceil(o*a*i/256));return this.dispatch(e,`silu_mul`,void 0,[t,n,r],[i,a,s],[],e=>{let t=Math.ceil(e.T*a*i/256);return[Math.min(t,s),Math.ceil(t/s),1]})}route(e,t,n,r,i){return this.dispatch(e,`moe_route`,void 0,[t,n,r],[i.E,i.k,+!!i.sigmoid,+!!i.norm,i.scale],[4],e=>[e.T,1,1])}moeMatmul(e,t,n,r,i,a,o,s){let[c,l]=Mn(s.N),u=[s.K,s.N,s.rowWords,s.partWords,s.xStride,+!!s.xPerPair,s.k,c];return this.dispatch(e,`moe_matmul`,t,[n,a,o,i,r],u,[],e=>[c,l,e.T*s.k])}combine(e,t,n,r,i,a){return this.dispatch(e,`moe_combine`,void 0,[t,n,r],[i,a],[],e=>[Math.ceil(i/64),e.T,1])}};function Pn(e,t,n,r,i){let a=r=>e*Math.log(n/(r*2*Math.PI))/(2*Math.log(t));return[Math.max(0,Math.floor(a(r))),Math.min(e-1,Math.ceil(a(i)))]}function Fn(e){let t=e.qkRope,{base:n,factor:r,scalingType:i,originalContext:a,betaFast:o,betaSlow:s}=e.rope,c=new Float64Array(t/2),l=i===`yarn`&&r!==1,[u,d]=Pn(t,n,a,o,s);for(let e=0;e<t/2;e++){let i=n**(-2*e/t);if(!l){c[e]=i;continue}let a=1-Math.min(1,Math.max(0,(e-u)/Math.max(.001,d-u)));c[e]=i/r*(1-a)+i*a}return c}function In(e,t,n){let r=e.length,i=new Float32Array(n*r*2);for(let a=0;a<n;a++)for(let n=0;n<r;n++){let o=(t+a)*e[n];i[(a*r+n)*2]=Math.cos(o),i[(a*r+n)*2+1]=Math.sin(o)}return i}function Ln(e){let{factor:t,scalingType:n,yarnLogMultiplier:r}=e.rope,i=n===`yarn`&&t>1?1+r*Math.log(t):1;return i*i/Math.sqrt(e.qkNope+e.qkRope)}var Rn=class e{gpu;manifest;opts;experts;io;logits;segments=[];head=[];buffers=[];tensors=[];freqs;hp;constructor(e,t,n,r,i,a){this.gpu=e,this.manifest=t,this.opts=n,this.experts=r,this.io=i,this.logits=a,this.hp=t.hparams,this.freqs=Fn(this.hp)}static async load(t,n,r,i,a=()=>{}){let o=r.hparams,{device:s}=t,c=i.maxBatch,l=o.nEmbd,u=o.nHead,d=o.kvLoraRank,f=o.qkNope,p=o.qkRope,m=o.vHead,h=o.nExpertUsed,g=Math.max(o.ffnDense,o.ffnExpert*o.nExpertShared),_=[],v=(e,t,n=0)=>{let r=s.createBuffer({size:Math.max(16,e*4),usage:GPUBufferUsage.STORAGE|GPUBufferUsage.COPY_DST|GPUBufferUsage.COPY_SRC|n,label:t});return _.push(r),r},ee=e=>{let t=s.createBuffer({size:16,usage:GPUBufferUsage.UNIFORM|GPUBufferUsage.COPY_DST,label:e});return _.push(t),t},y={ids:v(c,`token ids`),cs:v(c*p,`rope cos/sin`),S:ee(`step`),S1:ee(`step (last token)`),routeIds:v(c*h,`route ids`),routeRead:s.createBuffer({size:Math.max(16,c*h*4),usage:GPUBufferUsage.MAP_READ|GPUBufferUsage.COPY_DST,label:`route read-back`})};_.push(y.routeRead),s.queue.writeBuffer(y.S1,0,new Uint32Array([1,0,1,0]));let b=v(c*l,`x`),x=v(c*l,`h`),te=v(c*u*(f+p),`q`),S=v(c*u*p,`q_pe`),C=v(c*(d+p),`kv_a`),w=v(c*u*d,`q_abs`),ne=v(c*u*d,`o_lat`),T=v(c*u*m,`o`),E=v(c*g,`gate`),re=v(c*g,`up`),D=v(c*g,`act`),ie=v(c*o.nExpert,`router logits`),ae=v(c*h,`route weights`),oe=v(c*h*o.ffnExpert,`expert gate`),se=v(c*h*o.ffnExpert,`expert up`),ce=v(c*h*o.ffnExpert,`expert act`),le=v(c*h*l,`expert out`),ue=v(l,`final norm`),de=v(o.nVocab,`logits`),O=d+p;if(i.contextLength*O*4>t.maxBinding)throw RangeError(`A context of ${i.contextLength} positions does not fit this GPU's largest binding.`);let k=Array.from({length:o.nLayer},(e,t)=>v(i.contextLength*O,`kv cache L${t}`)),A=[],fe=r.dense.length+r.experts.length*o.nExpert,j=0,M=async e=>{let t=await bn(s,r,e);return A.push(t),a(++j,fe),t},N=await Cn.create(s,r,i.expertBudgetBytes,t.maxBinding);j+=r.experts.length*o.nExpert;let P=new Nn(s,n,y.S),F=new e(t,r,i,N,y,de),I=o.rmsEps,pe=Ln(o),L=[P.embed(await M(`token_embd.weight`),y.ids,b)];for(let e=0;e<o.nLayer;e++){let t=`blk.${e}.`;L.push(P.rmsnorm(`${t}attn_norm`,b,await M(`${t}attn_norm.weight`),x,{dim:l,eps:I,xStride:l,yStride:l})),L.push(P.matmul(`${t}q`,await M(`${t}attn_q.weight`),x,te,{xStride:l,yStride:u*(f+p)})),L.push(P.matmul(`${t}kv_a`,await M(`${t}attn_kv_a_mqa.weight`),x,C,{xStride:l,yStride:d+p})),L.push(P.rmsnorm(`${t}kv_latent`,C,await M(`${t}attn_kv_a_norm.weight`),k[e],{dim:d,eps:I,xStride:d+p,yStride:O,atPosition:!0})),L.push(P.rope(`${t}ropeYarn k_pe`,C,y.cs,k[e],{nRot:p,heads:1,xBase:d,xStride:d+p,xHead:0,yBase:d,yStride:O,yHead:0,atPosition:!0})),L.push(P.rope(`${t}ropeYarn q_pe`,te,y.cs,S,{nRot:p,heads:u,xBase:f,xStride:u*(f+p),xHead:f+p,yBase:0,yStride:u*p,yHead:p,atPosition:!1}));let n=o.attentionLayout===`legacy`,i=n?await xn(s,r,e):await M(`${t}attn_k_b.weight`);n&&A.push(i),L.push(P.matmul(`${t}q_abs`,i,te,w,{N:d,Z:u,wBatch:d*i.rowWords,xStride:u*(f+p),xBatch:f+p,yStride:u*d,yBatch:d})),L.push(P.attention(`${t}mla`,w,S,k[e],ne,{R:d,nRot:p,H:u,scale:pe}));let a=n?await M(`${t}attn_kv_b.weight`):await M(`${t}attn_v_b.weight`),g=n?f+m:m;L.push(P.matmul(`${t}o_heads`,a,ne,T,{N:m,Z:u,wBase:n?f*a.rowWords:0,wBatch:g*a.rowWords,xStride:u*d,xBatch:d,yStride:u*m,yBatch:m})),L.push(P.matmul(`${t}attn_output`,await M(`${t}attn_output.weight`),T,b,{xStride:u*m,yStride:l,accumulate:!0})),L.push(P.rmsnorm(`${t}ffn_norm`,b,await M(`${t}ffn_norm.weight`),x,{dim:l,eps:I,xStride:l,yStride:l}));let _=async(e,n)=>{L.push(P.matmul(`${t}${e} gate`,await M(`${t}ffn_gate${e}.weight`),x,E,{xStride:l,yStride:n})),L.push(P.matmul(`${t}${e} up`,await M(`${t}ffn_up${e}.weight`),x,re,{xStride:l,yStride:n})),L.push(P.siluMul(`${t}${e} silu`,E,re,D,n,1,c)),L.push(P.matmul(`${t}${e} down`,await M(`${t}ffn_down${e}.weight`),D,b,{xStride:n,yStride:l,accumulate:!0}))};e<o.nLeadingDense?await _(``,o.ffnDense):(L.push(P.matmul(`${t}router`,await M(`${t}ffn_gate_inp.weight`),x,ie,{xStride:l,yStride:o.nExpert})),L.push(P.route(`${t}route`,ie,y.routeIds,ae,{E:o.nExpert,k:h,sigmoid:o.expertGating===`sigmoid`,norm:o.expertWeightsNorm,scale:o.expertWeightsScale})),F.segments.push({dispatches:L,moe:{layer:e,experts:zn(P,N,e,y.routeIds,x,oe,se,ce,le,o,c)}}),L=[],o.nExpertShared>0&&await _(`_shexp`,o.ffnExpert*o.nExpertShared),L.push(P.combine(`${t}experts combine`,le,ae,b,l,h)))}return F.segments.push({dispatches:L}),F.head.push(P.rmsnorm(`output_norm`,b,await M(`output_norm.weight`),ue,{dim:l,eps:I,xStride:l,yStride:l,lastOnly:!0})),F.head.push(P.matmul(`output`,await M(`output.weight`),ue,de,{xStride:l,yStride:o.nVocab},y.S1)),F.buffers.push(..._),F.tensors.push(...A),F}async step(e,t,n){let r=e.length;if(r===0||r>this.opts.maxBatch)throw RangeError(`step of ${r} tokens (1..${this.opts.maxBatch})`);if(t+r>this.opts.contextLength)throw RangeError(`The conversation needs ${t+r} positions, but the context on this device holds ${this.opts.contextLength}.`);let{device:i}=this.gpu,a=i.queue;a.writeBuffer(this.io.S,0,new Uint32Array([r,t,t+r,0])),a.writeBuffer(this.io.ids,0,new Uint32Array(e)),a.writeBuffer(this.io.cs,0,In(this.freqs,t,r));let o={T:r,pos0:t},s=i.createCommandEncoder();for(let e of this.segments){if(Bn(s,e.dispatches,o),!e.moe)continue;let t;this.experts.resident?t=[]:(s.copyBufferToBuffer(this.io.routeIds,0,this.io.routeRead,0,r*this.hp.nExpertUsed*4),a.submit([s.finish()]),await this.io.routeRead.mapAsync(GPUMapMode.READ,0,r*this.hp.nExpertUsed*4),t=Array.from(new Uint32Array(this.io.routeRead.getMappedRange(0,r*this.hp.nExpertUsed*4))),this.io.routeRead.unmap(),s=i.createCommandEncoder());for await(let n of this.experts.waves(e.moe.layer,t))Bn(s,e.moe.experts,o),this.experts.resident||(a.submit([s.finish()]),s=i.createCommandEncoder())}Bn(s,this.head,o),n?.(s),a.submit([s.finish()])}async readLogits(){let{device:e}=this.gpu,t=this.hp.nVocab,n=e.createBuffer({size:t*4,usage:GPUBufferUsage.MAP_READ|GPUBufferUsage.COPY_DST}),r=e.createCommandEncoder();r.copyBufferToBuffer(this.logits,0,n,0,t*4),e.queue.submit([r.finish()]),await n.mapAsync(GPUMapMode.READ);let i=new Float32Array(n.getMappedRange().slice(0));return n.destroy(),i}destroy(){for(let e of this.buffers)e.destroy();for(let e of this.tensors)e.buffer.destroy();this.experts.destroy()}};function zn(e,t,n,r,i,a,o,s,c,l,u){let{experts:d,table:f,info:p}=t.buffers(n),m=l.nExpertUsed,h=l.nEmbd,g=l.ffnExpert,_=(t,i,a,o,s,c,l)=>e.moeMatmul(`blk.${n}.${l}`,t.type,d,f,r,a,o,{K:t.rowWeights,N:s,rowWords:t.rowStride/4,partWords:i/4,xStride:t.rowWeights,xPerPair:c,k:m});return[_(p.gate,p.partOffsets.gate,i,a,g,!1,`experts gate`),_(p.up,p.partOffsets.up,i,o,g,!1,`experts up`),e.siluMul(`blk.${n}.experts silu`,a,o,s,g,m,u),_(p.down,p.partOffsets.down,s,c,h,!0,`experts down`)]}function Bn(e,t,n){let r=e.beginComputePass();An(r,t,n),r.end()}var Vn=class extends Error{constructor(e){super(e),this.name=`GpuError`}};async function Hn(){if(!navigator.gpu)throw new Vn(`WebGPU is not available in this browser.`);let e=await navigator.gpu.requestAdapter({powerPreference:`high-performance`});if(!e)throw new Vn(`No WebGPU adapter is available (the GPU may be blocklisted or disabled).`);let t=[];for(let n of[`shader-f16`,`subgroups`])e.features.has(n)&&t.push(n);let n=await e.requestDevice({requiredFeatures:t,requiredLimits:{maxBufferSize:e.limits.maxBufferSize,maxStorageBufferBindingSize:e.limits.maxStorageBufferBindingSize,maxStorageBuffersPerShaderStage:Math.min(10,e.limits.maxStorageBuffersPerShaderStage),maxComputeWorkgroupStorageSize:e.limits.maxComputeWorkgroupStorageSize},label:`lite-coder runtime`}),r=n.lost.then(e=>`The GPU device was lost (${e.reason}): ${e.message||`no details`}.`);return{device:n,adapterName:[e.info?.vendor,e.info?.architecture].filter(Boolean).join(` `)||`unknown adapter`,maxBinding:n.limits.maxStorageBufferBindingSize,maxBuffer:n.limits.maxBufferSize,lost:r}}function Un(e){let t=[];for(let n=0;n<e.length;n++){let r=e[n];(t.length<5||r>t[t.length-1][1])&&(t.push([n,r]),t.sort((e,t)=>t[1]-e[1]||e[0]-t[0]),t.length>5&&t.pop())}return{id:t[0][0],top:t}}var Wn=class e{gpu;model;cached=[];constructor(e,t){this.gpu=e,this.model=t}static async load(t,n,r){let i=await N(t);if(!i)throw Error(`No stored model has the id "${t}".`);if(i.state!==`ready`)throw Error(`The model "${i.name}" is not completely imported yet; resume its import first.`);let a=await Hn();try{let t=await Rn.load(a,new On(a.device),i,Gn(i,n,a),r);return new e(a,t)}catch(e){throw a.device.destroy(),e}}get manifest(){return this.model.manifest}async generate(e){let t=e.promptIds;if(t.length===0)throw Error(`The prompt is empty.`);let n={...this.model.experts.stats},r=0;for(;r<this.cached.length&&r<t.length&&this.cached[r]===t[r];)r++;r=Math.min(r,t.length-1),this.cached=this.cached.slice(0,r);let i=performance.now(),a=this.model.opts.maxBatch;for(let e=r;e<t.length;e+=a){let n=t.slice(e,Math.min(t.length,e+a));await this.model.step(n,this.cached.length),this.cached.push(...n)}let o=await this.model.readLogits(),s=performance.now()-i,c=[],l=[],u=`length`,d=Un(o),f=performance.now();for(;c.length<e.maxTokens;){if(c.push(d.id),l.push(d.top),e.onToken?.(d.id),e.stopIds.includes(d.id)){u=`stop`;break}if(e.signal?.aborted){u=`abort`;break}if(c.length===e.maxTokens)break;await this.model.step([d.id],this.cached.length),this.cached.push(d.id),d=Un(await this.model.readLogits())}let p=this.model.experts.stats;return{ids:c,top:l,finishReason:u,promptTokens:t.length,reusedTokens:r,...e.wantPromptLogits?{promptLogits:o}:{},prefillMs:s,decodeMs:performance.now()-f,experts:{hits:p.hits-n.hits,misses:p.misses-n.misses,bytesRead:p.bytesRead-n.bytesRead}}}unload(){this.model.destroy(),this.gpu.device.destroy()}};function Gn(e,t,n){let r=e.hparams,i=(r.kvLoraRank+r.qkRope)*4,a=Math.floor(Math.min(2**30/r.nLayer,n.maxBinding)/i);return{expertBudgetBytes:t.expertBudgetBytes??null,maxBatch:t.maxBatch??64,contextLength:Math.min(t.contextLength??1/0,r.contextLength,a)}}function Kn(e,t){let n=t[t.length-1];if(n===void 0||n.role!==`user`)throw Error(`a chat prompt must end with a user message`);let r=[e.bosId],i=``;for(let n of t)switch(n.role){case`system`:i+=`${n.content}\n\n`;break;case`user`:i+=`User: ${n.content}\n\n`;break;case`assistant`:i+=`Assistant: ${n.content}`,qn(r,e.encode(i)),r.push(e.eosId),i=``;break;default:throw Error(`unknown chat role ${JSON.stringify(n.role)}`)}return i+=`Assistant:`,qn(r,e.encode(i)),r}function qn(e,t){for(let n of t)e.push(n)}const Jn={begin:`<｜fim▁begin｜>`,hole:`<｜fim▁hole｜>`,end:`<｜fim▁end｜>`};function Yn(e){let t=e.tokenId(Jn.begin),n=e.tokenId(Jn.hole),r=e.tokenId(Jn.end);if(t!==void 0&&n!==void 0&&r!==void 0)return{begin:t,hole:n,end:r}}function Xn(e,t,n){let r=Yn(e);if(r===void 0){let t=Object.values(Jn).filter(t=>e.tokenId(t)===void 0);throw Error(`this model has no FIM (fill-in-the-middle) tokens (its vocabulary lacks ${t.join(`, `)})`)}let i=[e.bosId,r.begin];return qn(i,e.encode(t)),i.push(r.hole),qn(i,e.encode(n)),i.push(r.end),i}const Zn=/* @__PURE__ */ new Map;async function Qn(e){let t=Zn.get(e);if(!t){let n=await N(e);if(!n)throw Error(`No stored model has the id "${e}".`);t=new Dt(n.tokenizer),Zn.set(e,t)}return t}function $n(e,t){switch(t.kind){case`raw`:return[e.bosId,...e.encode(t.text)];case`chat`:return Kn(e,t.messages);case`fim`:return Xn(e,t.prefix,t.suffix)}}let $;const er={async loadModel(e,t,n){$?.unload(),$=void 0,$=await Wn.load(e,{expertBudgetBytes:t.expertBudgetMB===void 0?null:t.expertBudgetMB*1e6,...t.contextLength?{contextLength:t.contextLength}:{},...t.maxBatch?{maxBatch:t.maxBatch}:{}},n);let r=$.model;return{modelId:e,contextLength:r.opts.contextLength,resident:r.experts.resident,slots:r.experts.slots(r.manifest.experts[0]?.layer??0)}},async encodePrompt(e,t){return $n(await Qn(e),t)},async unloadModel(){$?.unload(),$=void 0},async generateTokens(e,t){if(!$)throw Error(`No model is loaded.`);let{promptLogits:n,...r}=await $.generate({...e,stopIds:e.stopIds??[$.manifest.tokenizer.eosId],...t?{onToken:t}:{}});return{...r,...n?{promptLogits:Array.from(n)}:{}}}};c({probeDevice:De,...on,...er});
//# sourceMappingURL=engine.worker-DEdDjGPH.js.map